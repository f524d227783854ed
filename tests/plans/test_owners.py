"""Issue 20, owners and own goals: who may own the quality plan, an area or a unit plan
(one rule: forms, services, a forged POST), the gates at adoption, submission and
approval, what carries over, the home panel «Dette følger du opp», and the units' own
goals through the editor, the evaluation and the report."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import (
    Attainment,
    DevelopmentArea,
    Membership,
    QualityPlan,
    Role,
    UnitGoal,
    UnitPlan,
    UnitPlanStatus,
)
from plans.selectors.owners import followed_up_by, owner_candidates
from plans.services import unit_plans as services
from plans.services.quality_plan import (
    quality_plan_adopt,
    quality_plan_create,
    quality_plan_part_save,
    quality_plan_revise,
    quality_plan_update,
)
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    QualityPlanFactory,
    UnitFactory,
    UnitGoalFactory,
    UnitPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = {"title": "Kvalitetsplan", "period_start": 2026, "period_end": 2029}
SECTOR_RULE = "Eieren må være sektorleder eller virksomhetsleder i kommunen."
UNIT_RULE = "Eieren må være leder eller ansatt ved enheten, eller sektorleder i kommunen."


@pytest.fixture
def draft(cast):
    leader = cast["sector_leader"]
    plan = quality_plan_create(municipality=cast.municipality, actor=leader, data=HEADER)
    quality_plan_part_save(
        plan=plan,
        model=DevelopmentArea,
        data={"order": 1, "name": "Inkluderende miljø", "goal": "Alle hører til."},
        actor=leader,
    )
    quality_plan_part_save(
        plan=plan,
        model=DevelopmentArea,
        data={"order": 2, "name": "Tidlig innsats", "goal": "Vi ser barna tidlig."},
        actor=leader,
    )
    return plan


def _adopt(plan, actor):
    return quality_plan_adopt(
        plan=plan, adopted_on=datetime.date(2026, 6, 18), council_case="26/42", actor=actor
    )


def _own_all(plan, owner):
    quality_plan_update(plan=plan, data={"owner": owner}, expected_version=None, actor=owner)
    for area in plan.areas.all():
        quality_plan_part_save(
            plan=plan, model=DevelopmentArea, instance=area, data={"owner": owner}, actor=owner
        )


# --- The rule ---------------------------------------------------------------------------


def test_the_sector_and_unit_leaders_in_force_may_own_the_quality_plan(cast):
    inactive = UserFactory(username="sluttet", is_active=False)
    MembershipFactory(user=inactive, municipality=cast.municipality, role=Role.SECTOR_LEADER)
    waiting = UserFactory(username="venter")
    MembershipFactory(
        user=waiting, municipality=cast.municipality, role=Role.SECTOR_LEADER, pending=True
    )
    names = set(
        owner_candidates(municipality_id=cast.municipality.pk).values_list("username", flat=True)
    )
    assert names == {"sektorleder", "virksomhetsleder"}


def test_the_units_leader_and_staff_and_the_sector_leader_may_own_a_unit_plan(cast):
    school = set(
        owner_candidates(municipality_id=cast.municipality.pk, unit_id=cast.school.pk).values_list(
            "username", flat=True
        )
    )
    assert school == {"sektorleder", "virksomhetsleder", "ansatt"}
    kindergarten = set(
        owner_candidates(
            municipality_id=cast.municipality.pk, unit_id=cast.kindergarten.pk
        ).values_list("username", flat=True)
    )
    assert kindergarten == {"sektorleder"}


@pytest.mark.parametrize(
    "who", ["other_municipality", "staff", "elected_official", "bti_coordinator"]
)
def test_services_refuse_an_owner_outside_the_rule_for_the_plan_and_its_areas(cast, draft, who):
    leader = cast["sector_leader"]
    with pytest.raises(ValidationError) as caught:
        quality_plan_update(
            plan=draft, data={"owner": cast[who]}, expected_version=None, actor=leader
        )
    assert caught.value.message_dict == {"owner": [SECTOR_RULE]}
    area = draft.areas.first()
    with pytest.raises(ValidationError) as caught:
        quality_plan_part_save(
            plan=draft,
            model=DevelopmentArea,
            instance=area,
            data={"owner": cast[who]},
            actor=leader,
        )
    assert caught.value.message_dict == {"owner": [SECTOR_RULE]}
    with pytest.raises(ValidationError):
        quality_plan_create(
            municipality=cast.municipality,
            actor=leader,
            data={**HEADER, "owner": cast[who]},
        )
    draft.refresh_from_db()
    area.refresh_from_db()
    assert (draft.owner, area.owner) == (None, None)


def test_unit_plan_service_refuses_an_owner_of_another_unit_or_municipality(plan_cast):
    c = plan_cast
    kindergarten_plan = c.kindergarten_plan
    kindergarten_plan.status = UnitPlanStatus.DRAFT
    kindergarten_plan.save()
    for outsider in (c["staff"], c["other_municipality"], c["data_admin"]):
        with pytest.raises(ValidationError) as caught:
            services.unit_plan_update(
                plan=kindergarten_plan,
                data={"owner": outsider},
                expected_version=None,
                actor=c["sector_leader"],
            )
        assert caught.value.message_dict == {"owner": [UNIT_RULE]}


def test_a_forged_post_naming_another_municipalitys_user_is_refused_in_norwegian(
    cast, draft, client_for
):
    client = client_for(cast["sector_leader"])
    url = reverse("plans:quality-plan-edit", args=[draft.pk])
    data = {**HEADER, "version": draft.version, "owner": cast["other_municipality"].pk}
    response = client.post(url, data)
    assert response.status_code == 400
    assert SECTOR_RULE in response.content.decode()
    draft.refresh_from_db()
    assert draft.owner is None
    # The same form with a leader of the municipality saves, and the history says so.
    data["owner"] = cast["unit_leader"].pk
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.owner == cast["unit_leader"]
    change = draft.changes.order_by("-pk").first()
    assert {
        "field": "Ansvarlig for oppfølging",
        "old": "",
        "new": cast["unit_leader"].get_full_name(),
    } in change.fields


def test_the_area_form_offers_only_the_rules_people_and_refuses_a_forged_one(
    cast, draft, client_for
):
    client = client_for(cast["sector_leader"])
    area = draft.areas.first()
    url = reverse("plans:quality-plan-part-edit", args=[draft.pk, "area", area.pk])
    page = client.get(url).content.decode()
    assert f'value="{cast["unit_leader"].pk}"' in page
    assert f'value="{cast["staff"].pk}"' not in page
    data = {"order": 1, "name": area.name, "goal": area.goal, "owner": cast["staff"].pk}
    response = client.post(url, data)
    assert response.status_code == 400
    assert SECTOR_RULE in response.content.decode()
    area.refresh_from_db()
    assert area.owner is None


def test_the_unit_plan_form_refuses_a_forged_owner(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-edit", args=[c.school_plan.pk])
    data = {
        "summary": "Vi satser på lesing.",
        "owner": c["other_municipality"].pk,
        "areas": [c.areas[0].pk],
        "components": [c.components[0].pk],
        "version": c.school_plan.version,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert UNIT_RULE in response.content.decode()
    c.school_plan.refresh_from_db()
    assert c.school_plan.owner == c["unit_leader"]
    data["owner"] = c["staff"].pk
    assert client.post(url, data).status_code == 302
    c.school_plan.refresh_from_db()
    assert c.school_plan.owner == c["staff"]


def test_deleting_the_owners_account_leaves_the_plan_without_owner(plan_cast):
    c = plan_cast
    owner = UserFactory(username="kortvarig")
    MembershipFactory(user=owner, municipality=c.municipality, unit=c.school, role=Role.STAFF)
    UnitPlan.objects.filter(pk=c.school_plan.pk).update(owner=owner)
    owner.delete()
    c.school_plan.refresh_from_db()
    assert c.school_plan.owner is None


# --- The gates --------------------------------------------------------------------------


def test_adoption_names_the_missing_owners_and_passes_once_all_are_named(cast, draft):
    leader = cast["sector_leader"]
    with pytest.raises(ValidationError) as caught:
        _adopt(draft, leader)
    assert caught.value.messages == [
        "Planen mangler en ansvarlig for oppfølging.",
        "Disse utviklingsområdene mangler en ansvarlig for oppfølging: «Inkluderende miljø», "
        "«Tidlig innsats».",
    ]
    quality_plan_update(plan=draft, data={"owner": leader}, expected_version=None, actor=leader)
    first = draft.areas.get(order=1)
    quality_plan_part_save(
        plan=draft, model=DevelopmentArea, instance=first, data={"owner": leader}, actor=leader
    )
    with pytest.raises(ValidationError) as caught:
        _adopt(draft, leader)
    assert caught.value.messages == [
        "Disse utviklingsområdene mangler en ansvarlig for oppfølging: «Tidlig innsats»."
    ]
    _own_all(draft, leader)
    assert _adopt(draft, leader).is_adopted


def test_an_owner_who_lost_the_role_counts_as_missing_at_adoption(cast, draft):
    _own_all(draft, cast["unit_leader"])
    Membership.objects.filter(user=cast["unit_leader"]).delete()
    with pytest.raises(ValidationError) as caught:
        _adopt(draft, cast["sector_leader"])
    assert "Planen mangler en ansvarlig for oppfølging." in caught.value.messages


def test_the_plan_page_and_the_adopt_page_show_missing_owners_before_the_button(
    cast, draft, client_for
):
    client = client_for(cast["sector_leader"])
    detail = client.get(reverse("plans:quality-plan-detail", args=[draft.pk])).content.decode()
    adopt = client.get(reverse("plans:quality-plan-adopt", args=[draft.pk])).content.decode()
    for page in (detail, adopt):
        assert "Planen mangler en ansvarlig for oppfølging." in page
        assert "«Inkluderende miljø», «Tidlig innsats»" in page
    _own_all(draft, cast["sector_leader"])
    detail = client.get(reverse("plans:quality-plan-detail", args=[draft.pk])).content.decode()
    assert "mangler en ansvarlig" not in detail
    assert "Ansvarlig for oppfølging:" in detail


def test_submission_and_approval_refuse_a_unit_plan_without_owner(plan_cast, client_for):
    c = plan_cast
    UnitPlan.objects.filter(pk=c.school_plan.pk).update(owner=None)
    c.school_plan.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_submit(plan=c.school_plan, actor=c["unit_leader"])
    assert caught.value.messages == ["Velg hvem som er ansvarlig for oppfølging av planen."]
    # The plan page says it before the unit presses submit.
    page = client_for(c["unit_leader"]).get(
        reverse("plans:unit-plan-detail", args=[c.school_plan.pk])
    )
    assert "Velg hvem som er ansvarlig for oppfølging av planen." in page.content.decode()
    # A submitted plan whose owner has gone since: approval refuses, the review page says so.
    UnitPlan.objects.filter(pk=c.sfo_plan.pk).update(owner=None)
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_approve(plan=c.sfo_plan, actor=c["sector_leader"])
    assert caught.value.messages == ["Velg hvem som er ansvarlig for oppfølging av planen."]
    client = client_for(c["sector_leader"])
    url = reverse("plans:unit-plan-review", args=[c.sfo_plan.pk])
    assert "Planen kan ikke godkjennes ennå" in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "comment": ""})
    assert "Velg hvem som er ansvarlig for oppfølging av planen." in response.content.decode()
    c.sfo_plan.refresh_from_db()
    assert c.sfo_plan.status == UnitPlanStatus.SUBMITTED
    # Returning it still works: the unit names an owner and sends it again.
    services.unit_plan_return(plan=c.sfo_plan, actor=c["sector_leader"], comment="Hvem eier?")


def test_approval_refuses_an_owner_who_has_since_left_the_unit(plan_cast):
    c = plan_cast
    newcomer = UserFactory(username="vikar")
    MembershipFactory(user=newcomer, municipality=c.municipality, unit=c.sfo, role=Role.STAFF)
    UnitPlan.objects.filter(pk=c.sfo_plan.pk).update(owner=newcomer)
    Membership.objects.filter(user=newcomer).delete()
    with pytest.raises(ValidationError):
        services.unit_plan_approve(plan=c.sfo_plan, actor=c["sector_leader"])
    UnitPlan.objects.filter(pk=c.sfo_plan.pk).update(owner=c["unit_leader"])
    assert services.unit_plan_approve(plan=c.sfo_plan, actor=c["sector_leader"]).status == (
        UnitPlanStatus.APPROVED
    )


# --- Carried over -----------------------------------------------------------------------


def test_a_new_revision_keeps_the_owners_still_eligible(cast, draft):
    leader = cast["sector_leader"]
    _own_all(draft, leader)
    second = draft.areas.get(order=2)
    DevelopmentArea.objects.filter(pk=second.pk).update(owner=cast["unit_leader"])
    _adopt(draft, leader)
    Membership.objects.filter(user=cast["unit_leader"]).delete()
    revision = quality_plan_revise(plan=draft, actor=leader)
    assert revision.owner == leader
    owners = dict(revision.areas.values_list("name", "owner"))
    # The unit leader has left: the draft shows the gap instead of a stale name.
    assert owners == {"Inkluderende miljø": leader.pk, "Tidlig innsats": None}


def test_next_years_plan_keeps_the_owner_and_the_units_own_goals(plan_cast):
    c = plan_cast
    UnitGoalFactory(plan=c.school_plan, area=None, text="Alle foreldre kjenner skolen.")
    plan = services.unit_plan_create(
        unit=c.school, school_year=c.school_plan.school_year + 1, actor=c["unit_leader"]
    )
    assert plan.owner == c["unit_leader"]
    assert list(plan.goals.filter(area=None).values_list("text", flat=True)) == [
        "Alle foreldre kjenner skolen."
    ]


# --- «Dette følger du opp» ----------------------------------------------------------------


def _owned_world(cast, units: int):
    leader = cast["sector_leader"]
    today = datetime.date.today()
    plan = QualityPlanFactory(
        municipality=cast.municipality,
        owner=leader,
        period_start=today.year - 1,
        period_end=today.year + 2,
    )
    for n in range(units):
        unit = UnitFactory(municipality=cast.municipality, name=f"Enhet {n:02d}")
        unit_plan = UnitPlanFactory(
            unit=unit,
            quality_plan=plan,
            school_year=_school_year(today),
            owner=leader,
            status=UnitPlanStatus.APPROVED,
        )
        MeasureFactory(
            plan=unit_plan,
            component__area__plan=plan,
            component__area__owner=leader,
            start=today - datetime.timedelta(days=60),
            end=today - datetime.timedelta(days=1),
        )
        MeasureFactory(
            plan=unit_plan,
            component__area__plan=plan,
            start=today,
            end=today + datetime.timedelta(days=10),
        )
    return plan


def _school_year(today):
    from plans.schoolyear import SchoolYear

    return SchoolYear.containing(today).start_year


def test_the_home_panel_lists_what_the_owner_follows_up_with_deadlines(cast, client_for):
    plan = _owned_world(cast, 1)
    items = followed_up_by(cast["sector_leader"])
    kinds = [item.kind for item in items]
    assert kinds == ["quality_plan", "area", "unit_plan"]
    unit_plan = items[-1]
    assert unit_plan.overdue == 1
    assert unit_plan.deadline == "1 tiltak over fristen; 1 tiltak slutter innen 30 dager"
    page = client_for(cast["sector_leader"]).get(reverse("home")).content.decode()
    assert "Dette følger du opp" in page
    assert reverse("plans:quality-plan-detail", args=[plan.pk]) in page
    assert f"Planperiode {plan.period_label}" in page
    # Someone who owns nothing gets no panel.
    page = client_for(cast["staff"]).get(reverse("home")).content.decode()
    assert "Dette følger du opp" not in page


def test_the_home_panel_leaves_out_what_the_owner_may_no_longer_read(cast):
    other_plan = QualityPlanFactory(
        municipality=cast.other_municipality, owner=cast["sector_leader"], period_end=2100
    )
    assert other_plan.pk
    assert followed_up_by(cast["sector_leader"]) == []


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_home_panel_costs_the_same_queries_for_one_and_ten_times_the_data(cast, client_for):
    client = client_for(cast["sector_leader"])
    _owned_world(cast, 1)
    _home_queries(client)  # the first request fills the per-process caches
    once = _home_queries(client)
    for n in range(9):
        UnitPlanFactory(
            unit=UnitFactory(municipality=cast.municipality, name=f"Ekstra {n}"),
            quality_plan=QualityPlan.objects.filter(owner=cast["sector_leader"]).first(),
            school_year=_school_year(datetime.date.today()),
            owner=cast["sector_leader"],
        )
    tenfold = _home_queries(client)
    assert len(followed_up_by(cast["sector_leader"])) >= 11
    assert tenfold == once


# --- The units' own goals ---------------------------------------------------------------


def test_an_own_goal_through_the_editor_is_shown_apart(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "goal"])
    form = client.get(url).content.decode()
    assert "Enhetens egne mål (utenfor utviklingsområdene)" in form
    response = client.post(url, {"area": "", "text": "Nytt uteområde tas i bruk."})
    assert response.status_code == 302
    goal = UnitGoal.objects.get(text="Nytt uteområde tas i bruk.")
    assert goal.area is None
    assert goal.is_own
    page = client.get(reverse("plans:unit-plan-detail", args=[c.school_plan.pk])).content.decode()
    own_section = page.split('id="own-goals-heading"')[1]
    assert "Nytt uteområde tas i bruk." in own_section
    assert "Mål for Solvik barneskole" not in own_section
    # A forged area from another quality plan is still refused.
    other_area = c.other_plan.quality_plan.areas.first()
    refused = client.post(url, {"area": other_area.pk, "text": "Smuglet mål"})
    assert refused.status_code == 200
    assert not UnitGoal.objects.filter(text="Smuglet mål").exists()


def test_own_goals_are_evaluated_like_the_others(plan_cast, client_for):
    c = plan_cast
    plan = c.kindergarten_plan  # approved
    own = UnitGoalFactory(plan=plan, area=None, text="Foreldresamtale hver uke.")
    for goal in plan.goals.exclude(pk=own.pk):
        services.unit_plan_part_save(
            plan=plan,
            model=UnitGoal,
            instance=goal,
            data={"attainment": Attainment.MET},
            actor=c["sector_leader"],
        )
    plan.measures.update(status="fullfort")
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_evaluate(plan=plan, actor=c["sector_leader"], evaluation="Et godt år.")
    assert caught.value.messages == ["Vurder måloppnåelsen for alle mål (1 mangler)."]
    services.unit_plan_part_save(
        plan=plan,
        model=UnitGoal,
        instance=own,
        data={"attainment": Attainment.PARTLY},
        actor=c["sector_leader"],
    )
    plan = services.unit_plan_evaluate(plan=plan, actor=c["sector_leader"], evaluation="Godt.")
    assert plan.status == UnitPlanStatus.EVALUATED
    summary = client_for(c["elected_official"]).get(
        reverse("plans:unit-plan-summary", args=[plan.pk])
    )
    text = summary.content.decode()
    assert "Enhetens egne mål" in text
    assert "Foreldresamtale hver uke. – <strong>Delvis nådd</strong>" in text
    # Elected officials read no names: not the owner's either.
    assert "Ansvarlig for oppfølging" not in text
