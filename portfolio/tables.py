"""The one table base every list uses: template, CSS classes and page size are set here once."""

import django_tables2 as tables
from django.conf import settings


class BaseTable(tables.Table):
    class Meta:
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        per_page = settings.PAGE_SIZE
