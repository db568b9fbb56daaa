"""Reads for screens: one selector per screen shapes its queryset up front (see house-style.md)."""
