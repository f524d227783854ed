"""Everything that changes BTI data, one module per topic."""
