"""indicators.services.library: creating, editing and (de)activating library indicators."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from indicators import services as all_services
from indicators.models import DisaggregationCategory, Indicator
from indicators.services import library as services
from tests.indicator_factories import IndicatorFactory, library
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db

FIELDS = {
    "code": "E9",
    "name": "Girls enrolled in secondary school",
    "definition": "Girls aged 12-17 enrolled in secondary school at the end of the period.",
    "domain": "education",
    "level": "outcome",
    "unit": "girls",
    "measure_type": "count",
    "direction": "increase",
    "aggregation": "latest",
    "data_source": "School records",
    "collection_method": "Enrolment lists",
}


def _category(code: str) -> DisaggregationCategory:
    return DisaggregationCategory.objects.get(code=code)


def test_create_stores_fields_categories_and_history(officer):
    indicator = services.indicator_create(actor=officer, categories=[_category("age")], **FIELDS)
    indicator.refresh_from_db()
    assert indicator.code == "E9" and indicator.is_active
    assert [c.code for c in indicator.categories.all()] == ["age"]
    record = indicator.history.earliest()
    assert record.history_type == "+" and record.history_user == officer


def test_create_refuses_a_duplicate_code_at_the_code_field(officer):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(actor=officer, **{**FIELDS, "code": "E1"})
    assert exc.value.message_dict["code"] == ["Another indicator already has this code."]
    assert Indicator.objects.filter(code="E1").count() == 1


def test_codes_are_unique_whatever_their_case(officer):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(actor=officer, **{**FIELDS, "code": "e1"})
    assert exc.value.message_dict["code"] == ["Another indicator already has this code."]
    assert not Indicator.objects.filter(code="e1").exists()
    # An indicator keeps its own code when saved again.
    services.indicator_update(indicator=library("E1"), actor=officer, name="Renamed")


def test_create_refuses_a_percentage_that_is_summed(officer):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            actor=officer, **{**FIELDS, "measure_type": "percentage", "aggregation": "sum"}
        )
    assert "aggregation" in exc.value.message_dict
    assert not Indicator.objects.filter(code="E9").exists()


def test_create_rejects_unknown_fields(officer):
    with pytest.raises(TypeError):
        services.indicator_create(actor=officer, **FIELDS, is_active=False)


def test_update_of_an_unused_indicator_may_change_everything(officer):
    indicator = IndicatorFactory(code="X1")
    services.indicator_update(
        indicator=indicator,
        actor=officer,
        categories=[_category("sex")],
        measure_type="money",
        name="Renamed",
    )
    indicator.refresh_from_db()
    assert (indicator.measure_type, indicator.name) == ("money", "Renamed")
    assert [c.code for c in indicator.categories.all()] == ["sex"]
    assert indicator.history.latest().history_user == officer


def test_update_locks_meaning_once_values_are_reported(officer, grantee_a, framework, draft):
    fill(draft, framework, grantee_a)
    indicator = library("E1")
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            indicator=indicator, actor=officer, measure_type="money", name="Renamed", categories=[]
        )
    assert set(exc.value.message_dict) == {"measure_type", "categories"}
    assert exc.value.message_dict["measure_type"] == [services.LOCKED_MESSAGE]
    indicator.refresh_from_db()
    assert indicator.measure_type == "count" and indicator.name != "Renamed"
    assert {c.code for c in indicator.categories.all()} == {"sex", "age"}


def test_update_of_a_reported_indicator_may_change_its_wording(officer, grantee_a, framework, draft):
    fill(draft, framework, grantee_a)
    indicator = library("E1")
    same = list(indicator.categories.all())
    services.indicator_update(
        indicator=indicator,
        actor=officer,
        categories=same,
        measure_type="count",
        aggregation="sum",
        name="Children reached with education services",
        data_source="New tracking system",
    )
    indicator.refresh_from_db()
    assert indicator.name == "Children reached with education services"
    assert indicator.data_source == "New tracking system"


def test_adopted_but_unreported_indicator_can_still_change(officer, framework):
    indicator = library("L5")  # adopted by Guatemala, no values yet
    services.indicator_update(indicator=indicator, actor=officer, categories=[_category("sex")])
    assert [c.code for c in indicator.categories.all()] == ["sex"]


def test_deactivate_stops_adoption_but_keeps_existing_projects(officer, world, framework):
    indicator = services.indicator_set_active(indicator=library("E1"), is_active=False, actor=officer)
    assert not indicator.is_active
    assert framework.reached.indicator_id == indicator.pk  # Guatemala keeps it
    with pytest.raises(ValidationError) as exc:
        all_services.project_indicator_create(
            country_project=world.project_b, indicator=library("E1"), actor=officer
        )
    assert "indicator" in exc.value.message_dict


def test_set_active_refuses_the_state_it_already_has(officer):
    indicator = IndicatorFactory(code="X2")
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_active(indicator=indicator, is_active=True, actor=officer)
    assert exc.value.message_dict["is_active"] == ["The indicator is already active."]
    services.indicator_set_active(indicator=indicator, is_active=False, actor=officer)
    services.indicator_set_active(indicator=indicator, is_active=True, actor=officer)
    indicator.refresh_from_db()
    assert indicator.is_active
    assert [r.is_active for r in indicator.history.order_by("history_id")] == [True, False, True]
