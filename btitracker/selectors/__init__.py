"""Reads for the BTI pages, one module per topic; each starts from ``visible_to``."""
