"""The rules and the ``visible_to`` querysets describe the same scope."""

from __future__ import annotations

import pytest

from plans.models import Membership, Municipality, Unit
from tests.conftest import PERSONAS

CAST = (*PERSONAS, "other_municipality", "no_membership")
MODELS = [
    (Municipality, "plans.view_municipality"),
    (Unit, "plans.view_unit"),
    (Membership, "plans.view_membership"),
]


@pytest.mark.parametrize("persona", CAST)
@pytest.mark.parametrize(("model", "perm"), MODELS, ids=lambda v: getattr(v, "__name__", v))
def test_rule_and_queryset_agree_for_every_object(cast, persona, model, perm):
    user = cast[persona]
    visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
    for obj in model.objects.all():
        assert user.has_perm(perm, obj) == (obj.pk in visible), (persona, obj)


def test_members_see_only_their_own_municipality(cast):
    for persona in PERSONAS:
        names = set(Unit.objects.visible_to(cast[persona]).values_list("name", flat=True))
        assert names == {"Solvik barneskole", "Solvik SFO", "Solbakken barnehage"}
    assert list(Unit.objects.visible_to(cast["other_municipality"])) == [cast.other_unit]
    assert not Unit.objects.visible_to(cast["no_membership"]).exists()


def test_membership_scope_by_role(cast):
    def usernames(persona):
        return set(
            Membership.objects.visible_to(cast[persona]).values_list("user__username", flat=True)
        )

    everyone_here = {
        "sektorleder",
        "virksomhetsleder",
        "ansatt",
        "bti",
        "folkevalgt",
        "dataansvarlig",
    }
    assert usernames("data_admin") == everyone_here
    assert usernames("sector_leader") == everyone_here
    assert usernames("unit_leader") == {"virksomhetsleder", "ansatt"}  # their units' people
    assert usernames("staff") == {"ansatt"}
    assert usernames("elected_official") == {"folkevalgt"}


def test_only_data_admins_change_the_organisation(cast):
    for persona in PERSONAS:
        allowed = cast[persona].has_perm("plans.change_unit", cast.school)
        assert allowed == (persona == "data_admin"), persona
    assert not cast["other_municipality"].has_perm("plans.change_unit", cast.school)


def test_inactive_user_has_no_access(cast):
    user = cast["data_admin"]
    user.is_active = False
    user.save()
    from django.contrib.auth import get_user_model

    fresh = get_user_model().objects.get(pk=user.pk)
    assert not Unit.objects.visible_to(fresh).exists()
    assert not fresh.has_perm("plans.access_admin")


PLAN_MODELS = [
    ("QualityPlan", "plans.view_qualityplan"),
    ("UnitPlan", "plans.view_unitplan"),
    ("QualityTool", "plans.view_qualitytool"),
    ("SelfAssessment", "plans.view_selfassessment"),
    ("ParticipationInput", "plans.view_participationinput"),
    ("UserJourney", "plans.view_userjourney"),
]


@pytest.fixture
def plan_objects(plan_cast):
    """Every plan-side object in states the rules tell apart: a draft and an adopted
    quality plan, unit plans in four states, assessments of two units, published and
    unpublished input and journeys, in both municipalities."""
    from plans.models import SelfAssessment
    from tests.factories import QualityPlanFactory
    from tests.plans.test_participation import ParticipationInputFactory, UserJourneyFactory
    from tests.plans.test_self_assessment import school_tool

    c = plan_cast
    QualityPlanFactory(municipality=c.municipality, revision=2, adopted_on=None, council_case="")
    tool = school_tool(c)
    for unit in (c.school, c.kindergarten):
        SelfAssessment.objects.create(unit=unit, tool=tool, conducted_on="2026-10-01")
    for municipality in (c.municipality, c.other_municipality):
        for publishable in (True, False):
            ParticipationInputFactory(municipality=municipality, publishable=publishable)
            UserJourneyFactory(municipality=municipality, publishable=publishable)
    return c


@pytest.mark.parametrize("persona", CAST)
@pytest.mark.parametrize(("model_name", "perm"), PLAN_MODELS)
def test_plan_rules_and_querysets_agree_for_every_object(plan_objects, persona, model_name, perm):
    from django.apps import apps

    model = apps.get_model("plans", model_name)
    user = plan_objects[persona]
    visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
    assert model.objects.exists()
    for obj in model.objects.all():
        assert user.has_perm(perm, obj) == (obj.pk in visible), (persona, obj)
