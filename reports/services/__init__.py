"""Everything that changes a status report, one module per topic."""
