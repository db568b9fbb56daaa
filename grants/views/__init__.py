"""Views of the grants app: grant_views (grants, modifications, country projects), milestone_views."""
