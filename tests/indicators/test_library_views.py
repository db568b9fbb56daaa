"""Indicator library screens: who may do what, what bad input shows, filters, export, and what it costs."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import services
from indicators.models import DisaggregationCategory, Indicator
from indicators.services.library import LOCKED_MESSAGE, RATIO_MESSAGE
from tests.factories import CountryProjectFactory
from tests.indicator_factories import IndicatorFactory, library
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db

PERSONAS = ("officer", "other_officer", "manager", "admin_user", "grantee_a", "grantee_b")
MANAGERS = {"officer", "other_officer", "admin_user"}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _follow_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    return _messages(client.get(response["Location"]))


def _field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return list(response.context["form"].errors.get(field, []))


def _categories(*codes: str) -> list[int]:
    return [DisaggregationCategory.objects.get(code=code).pk for code in codes]


def _data(**overrides) -> dict:
    data = {
        "code": "E9",
        "name": "Girls enrolled in secondary school",
        "definition": "Girls aged 12-17 enrolled in secondary school at the end of the period.",
        "domain": "education",
        "level": "outcome",
        "unit": "girls",
        "measure_type": "count",
        "direction": "increase",
        "aggregation": "latest",
        "categories": _categories("age", "migration"),
        "data_source": "School records",
        "collection_method": "Enrolment lists checked at each visit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _edit_data(indicator: Indicator, **overrides) -> dict:
    data = {name: getattr(indicator, name) for name in (*services.library.INDICATOR_FIELDS,)}
    data["categories"] = [c.pk for c in indicator.categories.all()]
    data.update(overrides)
    return data


# --- permission matrix --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client):
    pk = library("E1").pk
    urls = [
        reverse("indicators:library"),
        reverse("indicators:library_export", args=["csv"]),
        reverse("indicators:indicator_detail", args=[pk]),
        reverse("indicators:indicator_create"),
        reverse("indicators:indicator_update", args=[pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("indicators:indicator_set_active", args=[pk]), {"is_active": "0"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert library("E1").is_active


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_signed_in_reads_the_library(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    pk = library("E3").pk
    response = client.get(reverse("indicators:library"))
    assert response.status_code == 200
    assert "E3" in [row.record.code for row in response.context["table"].rows]
    assert client.get(reverse("indicators:indicator_detail", args=[pk])).status_code == 200
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("indicators:library_export", args=[fmt])).status_code == 200
    managing = persona in MANAGERS
    assert response.context["can_manage"] is managing
    assert (reverse("indicators:indicator_create") in response.content.decode()) is managing


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_officers_and_admins_change_the_library(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    indicator = IndicatorFactory(code="X1", name="Before")
    expected_get = 200 if persona in MANAGERS else 403
    assert client.get(reverse("indicators:indicator_create")).status_code == expected_get
    assert client.get(reverse("indicators:indicator_update", args=[indicator.pk])).status_code == expected_get

    created = client.post(reverse("indicators:indicator_create"), _data())
    edited = client.post(
        reverse("indicators:indicator_update", args=[indicator.pk]), _edit_data(indicator, name="After")
    )
    toggled = client.post(reverse("indicators:indicator_set_active", args=[indicator.pk]), {"is_active": "0"})
    indicator.refresh_from_db()
    if persona in MANAGERS:
        assert (created.status_code, edited.status_code, toggled.status_code) == (302, 302, 302)
        assert Indicator.objects.filter(code="E9").exists()
        assert indicator.name == "After" and not indicator.is_active
    else:
        assert (created.status_code, edited.status_code, toggled.status_code) == (403, 403, 403)
        assert not Indicator.objects.filter(code="E9").exists()
        assert indicator.name == "Before" and indicator.is_active


def test_unknown_indicator_is_404(client_for, officer):
    client = client_for(officer)
    assert client.get(reverse("indicators:indicator_detail", args=[999999])).status_code == 404
    assert client.get(reverse("indicators:indicator_update", args=[999999])).status_code == 404
    response = client.post(reverse("indicators:indicator_set_active", args=[999999]), {"is_active": "0"})
    assert response.status_code == 404


def test_set_active_is_post_only(client_for, officer):
    url = reverse("indicators:indicator_set_active", args=[library("E1").pk])
    assert client_for(officer).get(url).status_code == 405


def test_export_is_get_only_and_knows_its_formats(client_for, manager):
    client = client_for(manager)
    assert client.post(reverse("indicators:library_export", args=["csv"])).status_code == 405
    assert client.get(reverse("indicators:library_export", args=["pdf"])).status_code == 404


# --- what each viewer sees ------------------------------------------------------------------------------------


def test_indicator_page_shows_only_the_viewers_projects(
    client_for, grantee_a, grantee_b, manager, world, framework
):
    url = reverse("indicators:indicator_detail", args=[library("E1").pk])
    shown = {
        user.username: {pi.country_project for pi in client_for(user).get(url).context["projects"]}
        for user in (grantee_a, grantee_b, manager)
    }
    assert shown == {
        "grantee_a": {world.project_a},
        "grantee_b": {world.project_b},
        "manager": {world.project_a, world.project_b},
    }
    page = client_for(grantee_b).get(url).content.decode()
    assert world.grant_a.award_number not in page


def test_list_counts_only_projects_the_viewer_sees(client_for, grantee_b, manager, world, framework):
    def count(user) -> int:
        response = client_for(user).get(reverse("indicators:library"), {"q": "E1"})
        return {row.record.code: row.record.n_projects for row in response.context["table"].rows}["E1"]

    assert count(manager) == 2
    assert count(grantee_b) == 1


def test_indicator_page_explains_aggregation_and_categories(client_for, grantee_a):
    response = client_for(grantee_a).get(reverse("indicators:indicator_detail", args=[library("E3").pk]))
    page = response.content.decode()
    assert "Percentages are never averaged" in page
    assert "Female" in page and "Male" in page
    assert "Attendance registers sampled monthly" in page
    stock = client_for(grantee_a).get(reverse("indicators:indicator_detail", args=[library("E2").pk]))
    assert "latest reported value stands" in stock.content.decode()
    # Grantees read; they get no edit or deactivate buttons.
    assert reverse("indicators:indicator_update", args=[library("E3").pk]) not in page


def test_list_filters(client_for, grantee_a):
    client = client_for(grantee_a)
    IndicatorFactory(code="Z1", name="Retired indicator", is_active=False, domain="systems")

    def codes(**params) -> list[str]:
        response = client.get(reverse("indicators:library"), params)
        return [row.record.code for row in response.context["table"].rows]

    assert codes(q="attending school") == ["E3"]
    assert codes(q="l5") == ["L5"]
    assert set(codes(measure_type="percentage")) == {"E3", "L2", "P3", "P4"}
    assert codes(active="no") == ["Z1"]
    assert "Z1" not in codes(active="yes")
    assert all(c.startswith("S") or c == "Z1" for c in codes(domain="systems"))
    assert set(codes(level="outcome", domain="education")) == {"E2", "E3"}


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_writes_the_filtered_rows(client_for, manager, framework):
    client = client_for(manager)
    rows = _csv_rows(client.get(reverse("indicators:library_export", args=["csv"]), {"domain": "education"}))
    assert rows[0][:3] == ["Code", "Name", "Definition"]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"E1", "E2", "E3", "E4", "E5"}
    assert by_code["E1"][9] == "Sex, Age band" and by_code["E1"][13] == "2"
    response = client.get(reverse("indicators:library_export", args=["xlsx"]), {"q": "E3"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["E3"]


# --- create and edit: bad input ----------------------------------------------------------------------------------


def test_create_with_two_categories(client_for, officer):
    client = client_for(officer)
    response = client.post(reverse("indicators:indicator_create"), _data())
    indicator = Indicator.objects.get(code="E9")
    assert response["Location"] == reverse("indicators:indicator_detail", args=[indicator.pk])
    assert {c.code for c in indicator.categories.all()} == {"age", "migration"}
    assert _follow_messages(client, response) == ["Indicator E9 added to the library."]


def test_duplicate_code_is_refused_at_the_field(client_for, officer):
    before = Indicator.objects.count()
    response = client_for(officer).post(reverse("indicators:indicator_create"), _data(code="E1"))
    assert _field_errors(response, "code") == ["Another indicator already has this code."]
    assert "Nothing was saved" in response.content.decode()
    assert Indicator.objects.count() == before


def test_missing_fields_are_named(client_for, officer):
    before = Indicator.objects.count()
    response = client_for(officer).post(
        reverse("indicators:indicator_create"), _data(name="", definition="", domain=None, unit="")
    )
    for field in ("name", "definition", "domain", "unit"):
        assert _field_errors(response, field) == ["This field is required."], field
    assert Indicator.objects.count() == before


def test_percentage_must_combine_as_ratio(client_for, officer):
    response = client_for(officer).post(
        reverse("indicators:indicator_create"), _data(measure_type="percentage", aggregation="sum")
    )
    assert _field_errors(response, "aggregation") == [RATIO_MESSAGE]
    assert response.context["form"].non_field_errors() == []
    assert not Indicator.objects.filter(code="E9").exists()


def test_edit_of_a_reported_indicator_refuses_a_new_measure_type(
    client_for, officer, grantee_a, framework, draft
):
    fill(draft, framework, grantee_a)
    indicator = library("E1")
    response = client_for(officer).post(
        reverse("indicators:indicator_update", args=[indicator.pk]),
        _edit_data(indicator, measure_type="money", name="Renamed"),
    )
    assert _field_errors(response, "measure_type") == [LOCKED_MESSAGE]
    indicator.refresh_from_db()
    assert indicator.measure_type == "count" and indicator.name != "Renamed"


def test_edit_of_a_reported_indicator_refuses_new_categories(
    client_for, officer, grantee_a, framework, draft
):
    fill(draft, framework, grantee_a)
    indicator = library("E1")
    response = client_for(officer).post(
        reverse("indicators:indicator_update", args=[indicator.pk]),
        _edit_data(indicator, categories=_categories("sex")),
    )
    assert _field_errors(response, "categories") == [LOCKED_MESSAGE]
    assert {c.code for c in indicator.categories.all()} == {"sex", "age"}


def test_edit_of_a_reported_indicator_changes_its_wording(client_for, officer, grantee_a, framework, draft):
    fill(draft, framework, grantee_a)
    indicator = library("E1")
    client = client_for(officer)
    form = client.get(reverse("indicators:indicator_update", args=[indicator.pk])).context["form"]
    assert form.fields["measure_type"].disabled and form.fields["categories"].disabled
    # What a browser sends: disabled fields are left out.
    data = _edit_data(indicator, name="Children reached", data_source="Tracking system v2")
    for name in ("measure_type", "aggregation", "categories"):
        data.pop(name)
    response = client.post(reverse("indicators:indicator_update", args=[indicator.pk]), data)
    assert _follow_messages(client, response) == ["Indicator E1 saved."]
    indicator.refresh_from_db()
    assert (indicator.name, indicator.data_source) == ("Children reached", "Tracking system v2")
    assert {c.code for c in indicator.categories.all()} == {"sex", "age"}
    assert indicator.history.latest().history_user == officer


def test_deactivate_and_reactivate(client_for, officer):
    client = client_for(officer)
    indicator = library("S2")
    url = reverse("indicators:indicator_set_active", args=[indicator.pk])
    messages = _follow_messages(client, client.post(url, {"is_active": "0"}))
    assert messages == ["S2 is deactivated: no new project can adopt it; projects using it keep it."]
    indicator.refresh_from_db()
    assert not indicator.is_active
    # Deactivating twice: refused with the reason, nothing written.
    versions = indicator.history.count()
    assert _follow_messages(client, client.post(url, {"is_active": "0"})) == [
        "Nothing was changed. The indicator is already inactive."
    ]
    assert indicator.history.count() == versions
    assert _follow_messages(client, client.post(url, {"is_active": "maybe"})) == [
        "Nothing was changed. Choose whether the indicator is active."
    ]
    client.post(url, {"is_active": "1"})
    indicator.refresh_from_db()
    assert indicator.is_active


# --- query counts -----------------------------------------------------------------------------------------------


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(client_for, grantee_a, world, django_assert_max_num_queries):
    client = client_for(grantee_a)
    url = reverse("indicators:library")
    small = _queries(client, url)  # the 16 seeded indicators
    projects = [
        world.project_a,
        *(CountryProjectFactory(grant=world.grant_a, country=c) for c in ("HN", "SV")),
    ]
    for i in range(24):
        indicator = IndicatorFactory(code=f"Q{i}")
        indicator.categories.set(_categories("sex", "age"))
        for project in projects:
            project.project_indicators.create(indicator=indicator, lop_target=10, original_lop_target=10)
    assert Indicator.objects.count() == 40
    # session, user, organisation (the nav), count, one page of indicators with project counts, their
    # categories.
    with django_assert_max_num_queries(6):
        response = client.get(url, {"sort": "-n_projects"})
    assert len(response.context["table"].page.object_list) == 25
    assert _queries(client, url) == small


def test_detail_query_count_is_constant(client_for, officer, world, django_assert_max_num_queries):
    client = client_for(officer)
    indicator = library("E1")
    url = reverse("indicators:indicator_detail", args=[indicator.pk])
    services.library.indicator_update(indicator=indicator, actor=officer, name="First edit")
    small = _queries(client, url)
    for country in ("HN", "SV", "MX", "CO", "PE", "EC", "BO", "PY", "CR", "PA", "BR", "AR"):
        project = CountryProjectFactory(grant=world.grant_a, country=country)
        project.project_indicators.create(indicator=indicator, lop_target=10, original_lop_target=10)
    for i in range(5):
        services.library.indicator_update(indicator=indicator, actor=officer, name=f"Name {i}")
    # session, user, organisation; indicator, categories, options; projects; reported-values check;
    # history (latest records, their predecessor, categories at each).
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert len(response.context["projects"]) == 12
    assert _queries(client, url) == small


def test_refused_edit_keeps_the_stored_code_in_the_title(client_for, officer):
    indicator = IndicatorFactory(code="X7")
    response = client_for(officer).post(
        reverse("indicators:indicator_update", args=[indicator.pk]), _edit_data(indicator, code="E1")
    )
    assert _field_errors(response, "code") == ["Another indicator already has this code."]
    assert "Edit indicator X7" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.code == "X7"


def test_indicator_page_tells_officers_what_is_fixed_and_what_changed(
    client_for, officer, grantee_a, framework, draft
):
    indicator = library("E1")
    url = reverse("indicators:indicator_detail", args=[indicator.pk])
    assert client_for(officer).get(url).context["locked"] is False
    fill(draft, framework, grantee_a)
    services.library.indicator_update(indicator=indicator, actor=officer, name="Children reached")
    response = client_for(officer).get(url)
    assert response.context["locked"] is True
    (entry,) = response.context["history"]
    assert entry.who == str(officer)
    assert [(c.field, c.new) for c in entry.changes] == [("Name", "Children reached")]
    # Grantees read the definition, not the office's edit trail.
    grantee_view = client_for(grantee_a).get(url)
    assert grantee_view.context["history"] == [] and grantee_view.context["locked"] is False


def test_history_shows_a_change_of_disaggregations(client_for, officer):
    indicator = library("S1")  # seeded: its first change is shown against the seeded state
    sex = DisaggregationCategory.objects.filter(code__in=["sex", "migration"])
    services.library.indicator_update(indicator=indicator, actor=officer, categories=list(sex))
    response = client_for(officer).get(reverse("indicators:indicator_detail", args=[indicator.pk]))
    (entry,) = response.context["history"]
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("Disaggregations", "Sex", "Migration status, Sex")
    ]
