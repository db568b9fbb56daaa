"""The admin: reference data is editable, frameworks and reports are read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "indicator",
        "disaggregationcategory",
        "projectindicator",
        "submission",
        "reportingperiod",
        "actualvalue",
    ],
)
def test_admin_lists_load(client_for, admin_user, framework, draft, model):
    response = client_for(admin_user).get(reverse(f"admin:indicators_{model}_changelist"))
    assert response.status_code == 200


def test_indicators_are_editable_and_submissions_are_not(client_for, admin_user, draft):
    client = client_for(admin_user)
    e1 = Indicator.objects.get(code="E1")
    assert client.get(reverse("admin:indicators_indicator_change", args=[e1.pk])).status_code == 200
    assert client.get(reverse("admin:indicators_submission_add")).status_code == 403
    response = client.post(reverse("admin:indicators_submission_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 403
