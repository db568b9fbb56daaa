"""Report definitions and runs (see the report builder issue)."""
