"""FilterSets of the grants app, one module per screen family."""
