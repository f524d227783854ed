"""BTI: concern cases (stafettlogg), their teams, consent, handovers and the access log."""
