"""Forms of the grants app: grant_forms (grants, modifications, country projects), milestone_forms."""
