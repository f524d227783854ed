"""Reads for the plans pages, one module per topic; each starts from ``visible_to``."""
