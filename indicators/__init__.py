"""Tellinger: indicator sources, indicators, observations, targets and import batches."""
