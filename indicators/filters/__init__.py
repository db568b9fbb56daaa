"""django-filter FilterSets of the indicators lists, one module per screen family."""
