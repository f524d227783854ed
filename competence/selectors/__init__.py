"""Reads for the competence pages and the other apps' panels, one module per topic."""
