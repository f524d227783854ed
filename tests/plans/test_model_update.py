"""The shared update helper every app's services use: it writes only what changed, keeps
``auto_now`` current, validates unless told not to, and refuses names it was not given."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import UnitPlan
from plans.services.common import model_update
from tests.factories import DevelopmentAreaFactory, UnitPlanFactory

pytestmark = pytest.mark.django_db

FIELDS = ("summary", "school_year", "areas", "based_on")


def _updates(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]


def test_only_the_changed_field_and_auto_now_are_written():
    plan = UnitPlanFactory(summary="Før")
    with CaptureQueriesContext(connection) as queries:
        plan, has_updated = model_update(
            instance=plan, fields=FIELDS, data={"summary": "Etter", "school_year": 2025}
        )
    assert has_updated
    [update] = _updates(queries)
    set_clause = update.split(" SET ")[1].split(" WHERE ")[0]
    assert '"summary"' in set_clause
    assert '"updated_at"' in set_clause
    # school_year was given but unchanged, so it is not written over a concurrent change.
    assert '"school_year"' not in set_clause
    assert '"status"' not in set_clause
    assert UnitPlan.objects.get(pk=plan.pk).summary == "Etter"


def test_a_concurrent_change_to_another_field_survives():
    plan = UnitPlanFactory(summary="Før", evaluation="")
    UnitPlan.objects.filter(pk=plan.pk).update(evaluation="Skrevet av en annen")
    model_update(instance=plan, fields=FIELDS, data={"summary": "Etter"})
    assert UnitPlan.objects.get(pk=plan.pk).evaluation == "Skrevet av en annen"


def test_nothing_changed_writes_nothing():
    plan = UnitPlanFactory(summary="Samme")
    before = UnitPlan.objects.get(pk=plan.pk).updated_at
    with CaptureQueriesContext(connection) as queries:
        plan, has_updated = model_update(instance=plan, fields=FIELDS, data={"summary": "Samme"})
    assert not has_updated
    assert _updates(queries) == []
    assert UnitPlan.objects.get(pk=plan.pk).updated_at == before


def test_auto_now_moves_when_something_changed():
    plan = UnitPlanFactory(summary="Før")
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    UnitPlan.objects.filter(pk=plan.pk).update(updated_at=long_ago)
    model_update(instance=plan, fields=FIELDS, data={"summary": "Etter"})
    assert UnitPlan.objects.get(pk=plan.pk).updated_at > long_ago


def test_the_row_is_validated_before_it_is_written():
    plan = UnitPlanFactory(school_year=2025)
    with pytest.raises(ValidationError):
        model_update(instance=plan, fields=FIELDS, data={"school_year": 1900})
    assert UnitPlan.objects.get(pk=plan.pk).school_year == 2025


def test_validation_can_be_left_to_the_caller():
    plan = UnitPlanFactory(school_year=2025)
    model_update(instance=plan, fields=FIELDS, data={"school_year": 1900}, clean=False)
    assert UnitPlan.objects.get(pk=plan.pk).school_year == 1900


def test_a_field_the_caller_did_not_allow_is_refused():
    plan = UnitPlanFactory(summary="Før")
    with pytest.raises(ValueError, match="status"):
        model_update(instance=plan, fields=FIELDS, data={"summary": "Etter", "status": "approved"})
    assert UnitPlan.objects.get(pk=plan.pk).summary == "Før"


def test_a_field_the_model_does_not_have_is_refused():
    plan = UnitPlanFactory()
    with pytest.raises(ValueError, match="no_such_field"):
        model_update(instance=plan, fields=("no_such_field",), data={"no_such_field": 1})


def test_an_unsaved_row_is_refused():
    with pytest.raises(ValueError, match="saved rows"):
        model_update(instance=UnitPlan(), fields=FIELDS, data={"summary": "Ny"})


def test_many_to_many_is_replaced_and_counts_as_a_change():
    plan = UnitPlanFactory()
    area = DevelopmentAreaFactory(plan=plan.quality_plan)
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    UnitPlan.objects.filter(pk=plan.pk).update(updated_at=long_ago)
    plan, has_updated = model_update(instance=plan, fields=FIELDS, data={"areas": [area]})
    assert has_updated
    assert list(plan.areas.all()) == [area]
    assert UnitPlan.objects.get(pk=plan.pk).updated_at > long_ago
    plan, has_updated = model_update(instance=plan, fields=FIELDS, data={"areas": [area]})
    assert not has_updated


def test_a_foreign_key_is_compared_by_id():
    plan = UnitPlanFactory()
    other = UnitPlanFactory(unit=plan.unit, quality_plan=plan.quality_plan, school_year=2024)
    plan, has_updated = model_update(instance=plan, fields=FIELDS, data={"based_on": other})
    assert has_updated
    assert UnitPlan.objects.get(pk=plan.pk).based_on_id == other.pk
    fresh = UnitPlan.objects.get(pk=plan.pk)
    with CaptureQueriesContext(connection) as queries:
        fresh, has_updated = model_update(instance=fresh, fields=FIELDS, data={"based_on": other})
    assert not has_updated
    assert len(queries) == 0
