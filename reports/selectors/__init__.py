"""Reads for the status reports, one module per topic; the rest are QuerySet methods."""
