"""Views of the grants app: grant_views (grants, modifications, country projects), milestone_views,
notification_views (a person's notifications and notification preferences)."""
