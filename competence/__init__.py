"""Competence activities, sessions, sign-ups, funding schemes, needs and the annual wheel."""
