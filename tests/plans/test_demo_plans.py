"""The demo municipality's plan content: a quality plan shaped after Jevnaker's, two school
years of unit plans with real history, self-assessments and fortellinger."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from demo.services.loading import demo_load
from plans.demo import DEMO_MUNICIPALITY
from plans.models import (
    AnchoringKind,
    AssessmentStatus,
    InputGroup,
    InputSetting,
    Measure,
    MeasureStatus,
    ParticipationInput,
    ParticipationProcess,
    Phase,
    PlanChange,
    QualityPlan,
    QualityTool,
    SelfAssessment,
    ServiceField,
    UnitGoal,
    UnitPlan,
    UnitPlanStatus,
    UserJourney,
)
from plans.schoolyear import SchoolYear

pytestmark = pytest.mark.django_db

AREAS = [
    "Lærende organisasjon",
    "Inkluderende miljø",
    "Tidlig innsatskompetanse",
    "Helsefremmende møteplasser",
]


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back at the end; each
    test runs in a savepoint within it, so the tests still cannot affect one another."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(reports=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    return QualityPlan.objects.filter(municipality__number=DEMO_MUNICIPALITY["number"])


def _counts() -> dict[str, int]:
    models = [
        QualityPlan,
        UnitPlan,
        Measure,
        UnitGoal,
        ParticipationProcess,
        PlanChange,
        QualityTool,
        SelfAssessment,
        ParticipationInput,
        UserJourney,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_plan_in_force_has_the_four_areas_with_goals_and_three_components(demo):
    plan = demo.in_force()
    assert plan.revision == 1
    assert plan.council_case.startswith("PS ")
    assert plan.adopted_on.month == 6
    assert plan.period_start == SchoolYear.current().start_year - 1
    assert plan.period_end == plan.period_start + 3
    areas = list(plan.areas.order_by("order"))
    assert [area.name for area in areas] == AREAS
    for area in areas:
        assert area.goal.strip()
        assert area.meaning_for_individual.strip()
        components = list(area.components.all())
        assert len(components) == 3
        assert all(component.description for component in components)
        assert 5 <= area.characteristics.count() <= 8
    assert [value.name for value in plan.values.all()] == ["Åpen", "Nytenkende", "Redelig"]
    assert {anchoring.kind for anchoring in plan.anchorings.all()} == set(AnchoringKind)
    assert plan.anchorings.filter(url__startswith="https://lovdata.no/").exists()
    assert set(plan.quality_descriptions.values_list("service_field", flat=True)) == set(
        ServiceField.values
    )
    assert all(description.source for description in plan.quality_descriptions.all())


def test_draft_revision_two_differs_from_revision_one_and_has_history(demo):
    adopted = demo.get(revision=1)
    draft = demo.get(revision=2)
    assert draft.adopted_on is None
    assert draft.previous == adopted
    assert draft.purpose != adopted.purpose
    assert set(draft.areas.values_list("key", flat=True)) == set(
        adopted.areas.values_list("key", flat=True)
    )
    changed = [
        (old.name, old.goal != new.goal)
        for old, new in zip(
            adopted.areas.order_by("order"), draft.areas.order_by("order"), strict=True
        )
    ]
    assert ("Helsefremmende møteplasser", True) in changed
    assert draft.anchorings.count() == adopted.anchorings.count() + 1
    assert {change.action for change in draft.changes.all()} == {"created", "changed", "added"}
    assert {change.action for change in adopted.changes.all()} == {"created", "adopted"}


def test_quality_tools_cover_every_service_field_with_statements_per_area(demo):
    plan = demo.in_force()
    tools = QualityTool.objects.filter(quality_plan=plan)
    assert set(tools.values_list("service_field", flat=True)) == set(ServiceField.values)
    for tool in tools:
        per_area = tool.statements.values("area").annotate(n=Count("pk"))
        assert len(per_area) == 4
        assert all(2 <= row["n"] <= 3 for row in per_area)


def test_two_school_years_of_unit_plans_in_every_state(demo):
    year = SchoolYear.current().start_year
    plans = UnitPlan.objects.filter(unit__municipality__number=DEMO_MUNICIPALITY["number"])
    last_year = set(plans.filter(school_year=year - 1).values_list("status", flat=True))
    this_year = set(plans.filter(school_year=year).values_list("status", flat=True))
    assert last_year == {UnitPlanStatus.EVALUATED, UnitPlanStatus.APPROVED}
    assert this_year == {
        UnitPlanStatus.DRAFT,
        UnitPlanStatus.RETURNED,
        UnitPlanStatus.SUBMITTED,
        UnitPlanStatus.APPROVED,
    }
    assert plans.filter(school_year=year - 1, status=UnitPlanStatus.EVALUATED).count() > (
        plans.filter(school_year=year - 1, status=UnitPlanStatus.APPROVED).count()
    )
    # Some units have not started this year's plan.
    units_with_plan = plans.filter(school_year=year).values("unit")
    assert plans.filter(school_year=year - 1).exclude(unit__in=units_with_plan).exists()
    returned = plans.get(school_year=year, unit__name="Tunet naturbarnehage")
    assert returned.status == UnitPlanStatus.RETURNED
    assert returned.review_comment
    for plan in plans:
        assert 2 <= plan.measures.count() <= 4, plan
    for plan in plans.filter(status=UnitPlanStatus.EVALUATED):
        assert plan.evaluation
        assert not plan.goals.filter(attainment="").exists()


def test_measures_occur_in_every_status_some_overdue_and_single_group(demo):
    measures = Measure.objects.filter(plan__unit__municipality__number=DEMO_MUNICIPALITY["number"])
    assert set(measures.values_list("status", flat=True)) == set(MeasureStatus.values)
    this_year = measures.filter(plan__school_year=SchoolYear.current().start_year)
    assert this_year.overdue().exists()
    assert any(measure.reaches_single_group for measure in measures)
    assert not measures.filter(responsible__isnull=True).exists()
    assert set(ParticipationProcess.objects.values_list("phase", flat=True).distinct()) == set(
        Phase.values
    )


def test_unit_plan_history_comes_from_the_services(demo):
    year = SchoolYear.current().start_year
    plan = UnitPlan.objects.get(school_year=year - 1, unit__name="Solbakken barnehage")
    actions = list(plan.changes.order_by("at", "pk").values_list("action", flat=True))
    assert actions[0] == "created"
    for action in ("added", "submitted", "approved", "changed", "evaluated"):
        assert action in actions
    assert actions[-1] == "evaluated"
    returned = UnitPlan.objects.get(school_year=year, unit__name="Tunet naturbarnehage")
    assert returned.changes.filter(action="returned").exists()
    assert plan.changes.exclude(actor=None).count() == plan.changes.count()


def test_self_assessments_are_completed_for_eight_units_with_varying_scores(demo):
    assessments = SelfAssessment.objects.filter(
        status=AssessmentStatus.COMPLETED, unit__isnull=False
    )
    per_unit = assessments.values("unit").annotate(n=Count("pk"))
    assert len(per_unit) == 8
    assert all(2 <= row["n"] <= 3 for row in per_unit)
    scores = set(assessments.values_list("answers__score", flat=True))
    assert len(scores) >= 3
    assert not assessments.filter(answers__score__isnull=True).exists()


def test_one_completed_group_session_of_the_administration_and_politics(demo):
    from plans.models import AssessmentGroup, ScoreTally

    session = SelfAssessment.objects.get(group=AssessmentGroup.ADMINISTRATION)
    assert session.unit is None
    assert session.status == AssessmentStatus.COMPLETED
    answered = session.session_participants.filter(has_answered=True).count()
    assert answered == session.session_participants.count() == 2
    # Every statement holds one count per participant, and a joint conclusion.
    per_statement = ScoreTally.objects.filter(assessment=session).values("statement")
    assert {row["n"] for row in per_statement.annotate(n=Sum("count"))} == {answered}
    assert not session.answers.filter(score__isnull=True).exists()


def test_participation_inputs_and_user_journeys(demo):
    inputs = ParticipationInput.objects.all()
    assert inputs.count() >= 38
    assert set(inputs.values_list("group", flat=True)) == set(InputGroup.values)
    assert set(inputs.values_list("setting", flat=True)) == set(InputSetting.values)
    unpublished = inputs.filter(publishable=False).count()
    assert inputs.count() // 4 <= unpublished <= inputs.count() // 2
    assert not inputs.filter(areas=None).exists()
    assert inputs.filter(descriptor="Jente, 5 år").exists()
    journeys = UserJourney.objects.all()
    assert journeys.count() == 2
    for journey in journeys:
        assert 4 <= journey.steps.count() <= 6
        assert journey.findings.strip()
        assert journey.areas.exists()


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_loading_twice_keeps_every_count(demo):
    first = _counts()
    demo_load(reports=False)
    assert _counts() == first
    assert QualityPlan.objects.filter(adopted_on__isnull=False).count() == 1
