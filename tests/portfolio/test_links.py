"""url_pattern: a view's URL reversed once and formatted per row, the same as reverse() per row."""

from __future__ import annotations

from django.urls import reverse

from portfolio.links import url_pattern


def test_a_pattern_formats_to_what_reverse_gives():
    assert url_pattern("grants:grant_detail").format(42) == reverse("grants:grant_detail", args=[42])
    assert url_pattern("indicators:submission_start", 2).format(7, 9) == reverse(
        "indicators:submission_start", args=[7, 9]
    )
    assert url_pattern("indicators:submission_start", 2) == "/projects/{}/reporting/{}/start/"
