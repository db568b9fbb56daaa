import sqlite3
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_parameter_limit(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Let bulk inserts and updates on SQLite use the bound-parameter limit the library was built with.

    Django 5.2 assumes SQLite's old compile-time default of 999 parameters a statement and cuts a bulk insert
    of a 13-column model into statements of 76 rows; the SQLite shipped with Python 3.11 on Debian allows
    250,000 (and 32,766 is the default since SQLite 3.32). With the real limit, writing an upload's reports
    and their history takes one statement whatever their number.
    """
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        connection_created.connect(_sqlite_parameter_limit, dispatch_uid="portfolio-sqlite-parameter-limit")
