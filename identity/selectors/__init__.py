"""Reads for the OpenID Connect sign-in."""
