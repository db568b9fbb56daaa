"""The X-Query-Count header the load test reads: the number of SQL queries the request made."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from grants.models import Grant
from portfolio.querycount import HEADER, QueryCountMiddleware


def test_the_header_counts_the_requests_queries(db):
    def view(request):
        list(Grant.objects.all())
        list(Grant.objects.filter(pk=1))
        return HttpResponse("ok")

    with CaptureQueriesContext(connection) as captured:
        response = QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response[HEADER] == "2" == str(len(captured))


def test_no_query_no_count(db):
    response = QueryCountMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response[HEADER] == "0"
