import importlib
import pkgutil

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Each module or package under reports/types registers its report type when imported.
        from reports import types

        for module in pkgutil.iter_modules(types.__path__):
            importlib.import_module(f"{types.__name__}.{module.name}")
