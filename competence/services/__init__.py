"""Everything that changes competence data, one module per topic."""
