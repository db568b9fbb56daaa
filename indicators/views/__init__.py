"""Views of the indicators app: entry_views (reporting overview, starting a report, data entry)."""
