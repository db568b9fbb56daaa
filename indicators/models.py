"""Indicator library, results frameworks, reporting periods and submissions (see the outcome indicators issue)."""
