"""Country names for screens and files that show many projects."""

from __future__ import annotations

import functools

from django.utils.translation import get_language
from django_countries import countries


@functools.lru_cache(maxsize=512)
def _country_name(code: str, language: str | None) -> str:
    return str(countries.name(code))


def country_name(code: str) -> str:
    """The country's name in the active language. django-countries looks it up in its translated table on
    every call (about a millisecond); a portfolio has a few dozen countries and pages or files with thousands
    of lines, so the names are kept once looked up."""
    return _country_name(code, get_language())
