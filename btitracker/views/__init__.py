"""The BTI pages, one module per part: the individual log (``cases``)."""
