"""One module or package per report type; each calls reports.registry.register on import (see apps.py)."""
