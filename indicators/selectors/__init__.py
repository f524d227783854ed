"""Reads for the indicator pages, the findings and the imports, one module per topic."""
