"""Every model with a ``visible_to`` queryset has a ``view_<model>`` rule that says the same:
for every persona and every object, in both municipalities, ``user.has_perm`` is true
exactly when ``Model.objects.visible_to(user)`` contains the object.

The list of models is read from the app registry, so a new scoped model must join (and
bring objects of both municipalities to the fixture below)."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps

from tests.bti.helpers import VIEWS
from tests.conftest import PERSONAS
from tests.plans.test_permissions import plan_objects  # noqa: F401 (a fixture)
from tests.test_access_matrix import _bti, _comp, _dlg, _ind, _training

# The cast, and BTI's: a team member who is not the holder, a colleague of the holder off
# the team, the proposed new holder, and Nabovik's holder of Nabovik's own log.
CAST = (*PERSONAS, "other_municipality", "no_membership")
BTI_PEOPLE = ("nurse", "outsider", "kg_staff", "nabo_staff")


def scoped_models():
    return sorted(
        (m for m in apps.get_models() if hasattr(m._default_manager, "visible_to")),
        key=lambda m: m._meta.label,
    )


def _nabovik_bti(c):
    """Nabovik's own concern and log, held by Nabovik's staff member."""
    from btitracker.services import cases as services
    from plans.models import Role
    from tests.factories import MembershipFactory, UserFactory

    staff = UserFactory(username="nabo-ansatt")
    leader = UserFactory(username="nabo-leder")
    MembershipFactory(
        user=staff, municipality=c.other_municipality, unit=c.other_unit, role=Role.STAFF
    )
    MembershipFactory(
        user=leader, municipality=c.other_municipality, unit=c.other_unit, role=Role.UNIT_LEADER
    )
    bands = services.concern_bands_ensure(municipality=c.other_municipality)
    concern = services.concern_create(
        actor=staff,
        unit=c.other_unit,
        observation="Fiktiv: Naboviks undring.",
        band=bands[1],
        child_name="Fiktiv Naboviksen",
        birth_date=datetime.date(2015, 5, 5),
    )
    services.concern_decide(
        actor=leader,
        concern=concern,
        decision="niva1",
        note="Nabovik følger opp.",
        holder=staff,
        views=VIEWS,
    )
    services.concern_create(
        actor=staff, unit=c.other_unit, observation="Fiktiv: en til.", band=bands[0]
    )
    return staff


@pytest.fixture
def every_object(plan_objects):  # noqa: F811
    """Objects of every scoped model in both municipalities, in the states the rules tell
    apart (on top of tests/plans/test_permissions.py's plan objects)."""
    from competence.models import (
        CalendarEvent,
        FeedToken,
        FundingScheme,
        NeedSurvey,
        Registration,
        Session,
        Theme,
    )
    from indicators.models import ImportBatch, ImportMapping, Target
    from plans.models import QualityTool, SelfAssessment
    from reports.models import StatusReport
    from tests.plans.test_self_assessment import QualityToolFactory

    c = plan_objects
    other_tool = QualityToolFactory(quality_plan=c.other_plan.quality_plan)
    SelfAssessment.objects.create(unit=c.other_unit, tool=other_tool, conducted_on="2026-10-01")
    assert QualityTool.objects.count() == 2

    comp = _comp(c)
    Registration.objects.create(session=comp["session"], user=c["unit_leader"], status="pameldt")
    nabo_session = Session.objects.get(activity__municipality=c.other_municipality)
    Registration.objects.create(
        session=nabo_session, user=c["other_municipality"], status="pameldt"
    )
    FundingScheme.objects.create(municipality=c.other_municipality, name="Naboviks ordning")
    for municipality in (c.municipality, c.other_municipality):
        Theme.objects.create(municipality=municipality, name="Lesing")
    NeedSurvey.objects.create(
        municipality=c.other_municipality,
        name="Naboviks kartlegging",
        conducted_on=datetime.date(2026, 11, 1),
        school_year=2026,
    )
    CalendarEvent.objects.create(
        municipality=c.other_municipality,
        kind="bti",
        title="Naboviks nettverk",
        starts_on=datetime.date(2026, 10, 1),
    )
    FeedToken.objects.create(
        user=c["other_municipality"], municipality=c.other_municipality, scope="personlig"
    )
    FeedToken.objects.create(
        user=c["sector_leader"], municipality=c.municipality, scope="personlig"
    )
    _training(c)  # Solvik's BTI requirement and Nabovik's
    _dlg(c)  # leader dialogues and their points in both municipalities

    ind = _ind(c)
    Target.objects.create(
        indicator=ind["indicator"], municipality=c.other_municipality, year=2025, value=3
    )
    ImportBatch.objects.create(
        uploaded_by=c["other_municipality"],
        municipality=c.other_municipality,
        file_name="nabovik.csv",
        sha256="1" * 64,
        status="forhandsvisning",
    )
    for municipality, user in (
        (c.municipality, c["data_admin"]),
        (c.other_municipality, c["other_municipality"]),
    ):
        ImportMapping.objects.create(
            municipality=municipality,
            name="Egen fil",
            header_signature="0" * 64,
            columns={"value": "Verdi"},
            source=ind["indicator"].source,
            indicator_code="egen",
            indicator_name="Egen indikator",
            created_by=user,
        )

    from plans.models import MembershipAction, MembershipChange, Role

    for municipality, user in (
        (c.municipality, c["staff"]),
        (c.other_municipality, c["other_municipality"]),
    ):
        MembershipChange.objects.create(
            action=MembershipAction.GRANTED,
            actor_name="Dataansvarlig",
            subject=user,
            subject_name=user.get_username(),
            municipality=municipality,
            role=Role.STAFF,
        )
    bti = _bti(c)
    nabo_staff = _nabovik_bti(c)
    _handbook_objects(c)
    from tests.bti.consultation_helpers import build_consultations

    consult = build_consultations(c)
    from tests.bti.directory import build_directory

    build_directory(c)
    people = {
        "ppt": consult.ppt,
        "nurse": bti.nurse,
        "outsider": bti.outsider,
        "kg_staff": bti.kg_staff,
        "nabo_staff": nabo_staff,
    }

    for municipality, plan in ((c.municipality, c.quality_plan), (c.other_municipality, None)):
        plan = plan or c.other_plan.quality_plan
        for version, state in ((1, "publisert"), (2, "klar")):
            StatusReport.objects.create(
                municipality=municipality,
                quality_plan=plan,
                year=2025,
                version=version,
                state=state,
            )
    _council_objects(c)
    # The law's topics: each municipality maps the shared indicator.
    from reports.models import LawTopic, LawTopicIndicator

    for municipality in (c.municipality, c.other_municipality):
        LawTopicIndicator.objects.create(
            municipality=municipality,
            topic=LawTopic.LEARNING_RESULTS,
            indicator=ind["indicator"],
        )
    # The administration's assessment in both municipalities; our unit leader is invited
    # to write one area's, an elected official (behind the services' back) to another's.
    from reports.services.assessments import assessments_start

    for plan in (c.quality_plan, c.other_plan.quality_plan):
        report_year = assessments_start(quality_plan=plan, year=2025)
        first, *rest = report_year.assessments.exclude(area=None)
        if plan is c.quality_plan:
            first.writers.create(user=c["unit_leader"])
            (rest[0] if rest else report_year.assessments.get(area=None)).writers.create(
                user=c["elected_official"]
            )
    return c, people


def _handbook_objects(c):
    """A step with a tool, and its history, in both municipalities."""
    from plans.models import Role
    from tests.bti.test_handbook import make_step, make_tool
    from tests.factories import MembershipFactory, UserFactory

    make_step(c, tools=[make_tool(c)])
    nabo = UserFactory(username="nabo-bti")
    MembershipFactory(user=nabo, municipality=c.other_municipality, role=Role.BTI_COORDINATOR)
    # make_step/make_tool act as the cast's coordinator: Nabovik's own does here.
    from btitracker.services import handbook as services
    from tests.bti.test_handbook import PDF, upload

    tool = services.handbook_tool_create(
        actor=nabo,
        municipality=c.other_municipality,
        title="Naboviks guide",
        kind="samtaleguide",
        description="",
        upload=upload(PDF),
    )
    services.handbook_step_create(
        actor=nabo,
        municipality=c.other_municipality,
        level=1,
        unit_kind="",
        position=1,
        title="Naboviks steg",
        text="Tekst.",
        tools=[tool],
    )


def _council_objects(c):
    """Report years with their treatment, a follow-up item and a question in both
    municipalities (2025: published), and Solvik's 2024, never published."""
    from reports.models import FollowUpItem, Question, StatusReport, Treatment
    from reports.services.report_years import report_year_open

    for plan, owner, year in (
        (c.quality_plan, c["unit_leader"], 2025),
        (c.other_plan.quality_plan, c["other_municipality"], 2025),
        (c.quality_plan, c["unit_leader"], 2024),
    ):
        report_year = report_year_open(quality_plan=plan, year=year)
        Treatment.objects.create(report_year=report_year, case_number=f"{year}/1")
        FollowUpItem.objects.create(
            report_year=report_year, title="Punkt", owner=owner, due_on=datetime.date(2026, 1, 1)
        )
        report = StatusReport.objects.filter(quality_plan=plan, year=year).first()
        if report is not None:
            Question.objects.create(report_year=report_year, report=report, text="Hvorfor?")


def test_every_scoped_model_has_objects_in_both_municipalities_and_a_view_rule(every_object):
    import rules

    missing_rule = []
    one_sided = []
    for model in scoped_models():
        perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
        if not rules.perm_exists(perm):
            missing_rule.append(perm)
        if not model.objects.exists():
            one_sided.append(f"{model._meta.label}: no objects")
    assert missing_rule == []
    assert one_sided == []
    assert len(scoped_models()) >= 31


def test_rule_and_queryset_agree_for_every_scoped_model_persona_and_object(every_object):
    """One pass over every scoped model × persona × object: the failure lists every
    disagreement at once."""
    from plans.access import forget_access

    c, people = every_object
    users = {persona: c[persona] for persona in CAST} | people
    disagree = []
    seen_both = []
    for model in scoped_models():
        perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
        objects = list(model.objects.all())
        for persona, user in users.items():
            forget_access(user)
            visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
            for obj in objects:
                if user.has_perm(perm, obj) != (obj.pk in visible):
                    disagree.append(f"{perm} {persona} {obj.pk}: queryset {obj.pk in visible}")
            seen_both.append((model, persona, bool(visible)))
    assert disagree == [], "\n".join(disagree)
    # Not a vacuous pass: every model is visible to somebody here.
    for model in scoped_models():
        assert any(seen for m, _p, seen in seen_both if m is model), model
