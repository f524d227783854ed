"""Quality tools and self-assessments: the services' rules, the pages' scope, the charts
of a unit over time and of the sector, and the sector page's fixed query count."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import factory
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import (
    AssessmentAnswer,
    AssessmentStatus,
    PlanChange,
    QualityTool,
    Role,
    SelfAssessment,
    ServiceField,
    ToolStatement,
    UnitKind,
)
from plans.selectors import assessment as selectors
from plans.services.history import PlanLocked
from plans.services.self_assessment import (
    quality_tool_create,
    quality_tool_update,
    self_assessment_save,
    self_assessment_start,
    tool_statement_delete,
    tool_statement_save,
)
from tests.factories import (
    DevelopmentAreaFactory,
    MembershipFactory,
    QualityPlanFactory,
    UnitFactory,
    UserFactory,
)

# --- factories (shared with tests/test_access_matrix.py) ----------------------------------


class QualityToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityTool

    quality_plan = factory.SubFactory(QualityPlanFactory)
    municipality = factory.SelfAttribute("quality_plan.municipality")
    service_field = ServiceField.SCHOOL
    title = "Kvalitetsverktøy for skole og SFO"


class ToolStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToolStatement

    tool = factory.SubFactory(QualityToolFactory)
    area = factory.SubFactory(
        DevelopmentAreaFactory, plan=factory.SelfAttribute("..tool.quality_plan")
    )
    text = factory.Sequence(lambda n: f"Vi jobber meget bra med punkt {n}.")
    order = factory.Sequence(lambda n: n)


def school_tool(plan_cast) -> QualityTool:
    """The school and SFO tool of the plan in force: two statements about the first area
    (one of them about a core component) and one about the second."""
    tool = QualityToolFactory(quality_plan=plan_cast.quality_plan)
    ToolStatementFactory(tool=tool, area=plan_cast.areas[0], text="Alle barn hører til.")
    ToolStatementFactory(
        tool=tool,
        area=plan_cast.areas[0],
        component=plan_cast.components[1],
        text="Ansatte griper inn.",
    )
    ToolStatementFactory(tool=tool, area=plan_cast.areas[1], text="Vi handler tidlig.")
    return tool


def completed_assessment(unit, tool, scores, on=datetime.date(2025, 3, 1)) -> SelfAssessment:
    """A completed assessment with ``scores`` given to the tool's statements in order."""
    assessment = SelfAssessment.objects.create(
        unit=unit, tool=tool, conducted_on=on, status=AssessmentStatus.COMPLETED
    )
    statements = list(tool.statements.order_by("area__order", "order", "pk"))
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, statement=statement, score=score)
        for statement, score in zip(statements, scores, strict=True)
    )
    return assessment


def draft_for(plan_cast, unit=None) -> SelfAssessment:
    """A draft of the school (or ``unit``) against the school tool, made by the service."""
    if not QualityTool.objects.filter(quality_plan=plan_cast.quality_plan).exists():
        school_tool(plan_cast)
    return self_assessment_start(unit=unit or plan_cast.school, actor=plan_cast["unit_leader"])


# --- services -----------------------------------------------------------------------------


def test_start_creates_a_draft_with_an_empty_answer_per_statement(plan_cast):
    tool = school_tool(plan_cast)
    assessment = self_assessment_start(unit=plan_cast.sfo, actor=plan_cast["unit_leader"])
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.tool == tool  # SFO uses the school and SFO tool
    assert assessment.created_by == plan_cast["unit_leader"]
    answers = assessment.answers.all()
    assert sorted(answer.statement_id for answer in answers) == sorted(
        tool.statements.values_list("pk", flat=True)
    )
    assert all(answer.score is None and answer.reflection == "" for answer in answers)


def test_start_needs_a_tool_for_the_units_service_field(plan_cast):
    school_tool(plan_cast)
    with pytest.raises(ValidationError) as error:
        self_assessment_start(unit=plan_cast.kindergarten, actor=plan_cast["sector_leader"])
    assert "kvalitetsverktøy for barnehage" in error.value.messages[0]
    assert not SelfAssessment.objects.exists()


def test_a_unit_has_one_draft_at_a_time_but_many_completed(plan_cast):
    tool = school_tool(plan_cast)
    completed_assessment(plan_cast.school, tool, [1, 2, 3])
    self_assessment_start(unit=plan_cast.school, actor=plan_cast["unit_leader"])
    with pytest.raises(ValidationError) as error:
        self_assessment_start(unit=plan_cast.school, actor=plan_cast["unit_leader"])
    assert error.value.code == "draft_exists"
    assert SelfAssessment.objects.filter(unit=plan_cast.school).count() == 2


def test_completing_with_a_missing_score_fails_and_keeps_what_was_typed(plan_cast):
    assessment = draft_for(plan_cast)
    first, second, third = assessment.answers.order_by("pk")
    answers = {
        first.pk: {"score": 4, "reflection": "Vi ser alle barna."},
        second.pk: {"score": None, "reflection": "Usikre her – må diskuteres."},
        third.pk: {"score": 2, "reflection": ""},
    }
    with pytest.raises(ValidationError) as error:
        self_assessment_save(
            assessment=assessment,
            answers=answers,
            actor=plan_cast["unit_leader"],
            complete=True,
            participants="Hele personalet",
        )
    assert "1 påstand mangler vurdering" in error.value.messages[0]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.participants == "Hele personalet"
    saved = {answer.pk: (answer.score, answer.reflection) for answer in assessment.answers.all()}
    assert saved == {
        first.pk: (4, "Vi ser alle barna."),
        second.pk: (None, "Usikre her – må diskuteres."),
        third.pk: (2, ""),
    }


def test_a_completed_assessment_is_read_only(plan_cast):
    assessment = draft_for(plan_cast)
    answers = {answer.pk: {"score": 3, "reflection": ""} for answer in assessment.answers.all()}
    self_assessment_save(
        assessment=assessment, answers=answers, actor=plan_cast["unit_leader"], complete=True
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    changed = {pk: {"score": 1, "reflection": "Endret etterpå"} for pk in answers}
    with pytest.raises(PlanLocked):
        self_assessment_save(
            assessment=assessment, answers=changed, actor=plan_cast["unit_leader"], complete=False
        )
    assert set(assessment.answers.values_list("score", flat=True)) == {3}


def test_answers_must_belong_to_the_assessment(plan_cast):
    tool = school_tool(plan_cast)
    other = completed_assessment(plan_cast.sfo, tool, [1, 1, 1])
    assessment = self_assessment_start(unit=plan_cast.school, actor=plan_cast["unit_leader"])
    foreign = other.answers.first()
    with pytest.raises(ValidationError):
        self_assessment_save(
            assessment=assessment,
            answers={foreign.pk: {"score": 4, "reflection": ""}},
            actor=plan_cast["unit_leader"],
            complete=False,
        )
    assert other.answers.get(pk=foreign.pk).score == 1


def test_average_per_area_ignores_unscored_statements(plan_cast):
    tool = school_tool(plan_cast)
    assessment = completed_assessment(plan_cast.school, tool, [4, 3, 2])
    scores = {row.name: row for row in selectors.assessment_area_scores(assessment)}
    assert scores["Inkluderende miljø"].average == Decimal("3.50")
    assert scores["Tidlig innsats"].average == Decimal("2.00")

    draft = self_assessment_start(unit=plan_cast.school, actor=plan_cast["unit_leader"])
    first = draft.answers.filter(statement__area=plan_cast.areas[0]).first()
    self_assessment_save(
        assessment=draft,
        answers={first.pk: {"score": 1, "reflection": ""}},
        actor=plan_cast["unit_leader"],
        complete=False,
    )
    rows = {row.name: row for row in selectors.assessment_area_scores(draft)}
    assert rows["Inkluderende miljø"].average == Decimal("1.00")
    assert (rows["Inkluderende miljø"].answered, rows["Inkluderende miljø"].total) == (1, 2)
    assert rows["Tidlig innsats"].average is None


def test_sector_average_is_the_mean_of_the_units_latest(plan_cast):
    tool = school_tool(plan_cast)
    completed_assessment(plan_cast.school, tool, [1, 1, 1], on=datetime.date(2024, 3, 1))
    completed_assessment(plan_cast.school, tool, [4, 3, 2], on=datetime.date(2025, 3, 1))
    completed_assessment(plan_cast.sfo, tool, [2, 2, 4], on=datetime.date(2025, 3, 1))
    overview = selectors.sector_overview(plan_cast["sector_leader"])
    inclusive = overview.areas[0]
    bars = dict(inclusive.bars)
    assert bars["Solvik barneskole"] == Decimal("3.50")  # the latest, not the first
    assert bars["Solvik SFO"] == Decimal("2.00")
    assert bars["Solbakken barnehage"] is None
    assert inclusive.sector_average == Decimal("2.75")
    assert overview.areas[1].sector_average == Decimal("3.00")


def test_statement_must_use_the_tools_own_plan(plan_cast):
    tool = school_tool(plan_cast)
    other_area = DevelopmentAreaFactory(
        plan=QualityPlanFactory(
            municipality=plan_cast.municipality, period_start=2021, period_end=2024
        )
    )
    with pytest.raises(ValidationError) as error:
        tool_statement_save(
            tool=tool,
            data={"area": other_area, "text": "Feil plan."},
            actor=plan_cast["sector_leader"],
        )
    assert "hører ikke til kvalitetsplanen" in str(error.value)
    with pytest.raises(ValidationError) as error:
        tool_statement_save(
            tool=tool,
            data={
                "area": plan_cast.areas[1],
                "component": plan_cast.components[0],
                "text": "Komponent fra et annet område.",
            },
            actor=plan_cast["sector_leader"],
        )
    assert "et annet utviklingsområde" in str(error.value)
    assert tool.statements.count() == 3


def test_statement_changes_are_recorded_in_the_plans_history(plan_cast):
    tool = school_tool(plan_cast)
    statement = tool_statement_save(
        tool=tool,
        data={"area": plan_cast.areas[1], "text": "Foreldre er med fra start."},
        actor=plan_cast["sector_leader"],
    )
    tool_statement_save(
        tool=tool,
        data={"text": "Foreldre er med fra første dag."},
        actor=plan_cast["sector_leader"],
        instance=statement,
    )
    changes = PlanChange.objects.filter(quality_plan=plan_cast.quality_plan).order_by("pk")
    assert [change.action for change in changes] == ["added", "changed"]
    assert changes[1].fields == [
        {
            "field": "Påstand",
            "old": "Foreldre er med fra start.",
            "new": "Foreldre er med fra første dag.",
        }
    ]
    assert changes[1].actor == plan_cast["sector_leader"]


def test_changes_to_a_tool_and_its_statement_are_stored(plan_cast):
    tool = school_tool(plan_cast)
    statement = tool.statements.first()
    quality_tool_update(
        tool=tool, data={"title": "Skoleverktøyet"}, actor=plan_cast["sector_leader"]
    )
    tool_statement_save(
        tool=tool,
        data={"text": "Alle barn hører til, hver dag."},
        actor=plan_cast["sector_leader"],
        instance=statement,
    )
    assert QualityTool.objects.get(pk=tool.pk).title == "Skoleverktøyet"
    assert ToolStatement.objects.get(pk=statement.pk).text == "Alle barn hører til, hver dag."


def test_an_answered_statement_cannot_be_deleted_but_a_placeholder_can(plan_cast):
    tool = school_tool(plan_cast)
    statement = tool.statements.first()
    self_assessment_start(unit=plan_cast.school, actor=plan_cast["unit_leader"])
    # Only untouched placeholders in a draft: the statement goes, and so do they.
    tool_statement_delete(statement=statement, actor=plan_cast["sector_leader"])
    assert not ToolStatement.objects.filter(pk=statement.pk).exists()

    answered = tool.statements.first()
    completed_assessment(plan_cast.sfo, tool, [3, 3])
    with pytest.raises(ValidationError) as error:
        tool_statement_delete(statement=answered, actor=plan_cast["sector_leader"])
    assert "besvart i 1 egenvurdering" in error.value.messages[0]
    assert ToolStatement.objects.filter(pk=answered.pk).exists()


def test_one_tool_per_service_field_and_plan(plan_cast):
    school_tool(plan_cast)
    with pytest.raises(ValidationError):
        quality_tool_create(
            quality_plan=plan_cast.quality_plan,
            service_field=ServiceField.SCHOOL,
            actor=plan_cast["sector_leader"],
        )
    tool = quality_tool_create(
        quality_plan=plan_cast.quality_plan,
        service_field=ServiceField.KINDERGARTEN,
        actor=plan_cast["sector_leader"],
    )
    assert tool.title == "Kvalitetsverktøy for barnehage"
    assert tool.municipality == plan_cast.municipality


# --- pages --------------------------------------------------------------------------------


def test_staff_of_another_unit_cannot_see_an_assessment(plan_cast, client_for):
    assessment = draft_for(plan_cast)
    colleague = UserFactory(username="barnehageansatt")
    MembershipFactory(
        user=colleague,
        municipality=plan_cast.municipality,
        unit=plan_cast.kindergarten,
        role=Role.STAFF,
    )
    client = client_for(colleague)
    assert (
        client.get(reverse("plans:self-assessment-detail", args=[assessment.pk])).status_code == 404
    )
    assert (
        client.get(reverse("plans:self-assessment-edit", args=[assessment.pk])).status_code == 404
    )
    history = client.get(reverse("plans:self-assessment-unit", args=[plan_cast.school.pk]))
    assert history.status_code == 403
    # Their own unit's page is theirs.
    own = client.get(reverse("plans:self-assessment-unit", args=[plan_cast.kindergarten.pk]))
    assert own.status_code == 200


def test_staff_reads_but_does_not_edit_their_units_assessment(plan_cast, client_for):
    assessment = draft_for(plan_cast)
    client = client_for(plan_cast["staff"])
    assert (
        client.get(reverse("plans:self-assessment-detail", args=[assessment.pk])).status_code == 200
    )
    assert (
        client.get(reverse("plans:self-assessment-edit", args=[assessment.pk])).status_code == 403
    )


def test_unit_leader_cannot_start_one_for_a_unit_they_do_not_lead(plan_cast, client_for):
    school_tool(plan_cast)
    QualityToolFactory(quality_plan=plan_cast.quality_plan, service_field=ServiceField.KINDERGARTEN)
    client = client_for(plan_cast["unit_leader"])
    response = client.post(reverse("plans:self-assessment-start", args=[plan_cast.kindergarten.pk]))
    assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


def test_list_offers_start_and_start_opens_the_form(plan_cast, client_for):
    school_tool(plan_cast)
    client = client_for(plan_cast["unit_leader"])
    page = client.get(reverse("plans:self-assessment-list")).content.decode()
    start_url = reverse("plans:self-assessment-start", args=[plan_cast.school.pk])
    assert f'action="{start_url}"' in page
    assert "Start ny egenvurdering" in page

    response = client.post(start_url)
    assessment = SelfAssessment.objects.get(unit=plan_cast.school)
    assert response["Location"] == reverse("plans:self-assessment-edit", args=[assessment.pk])
    form = client.get(response["Location"]).content.decode()
    # One fieldset per statement, the statement as its legend, its four levels inside.
    legends = [
        " ".join(re.sub(r"<[^>]+>", " ", legend).split())
        for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", form, re.S)
    ]
    assert legends == [
        "Alle barn hører til.",
        "Ansatte griper inn.",
        "Vi handler tidlig.",
    ]
    assert form.count('type="radio"') == 3 * 4
    assert "Kjernekomponent: Ansatte tar ansvar" in form
    assert "4 – Slik jobber vi" in form
    assert "1 – Dette kjenner vi lite igjen" in form


def test_completing_with_a_missing_score_keeps_the_typed_page(plan_cast, client_for):
    assessment = draft_for(plan_cast)
    first, second, third = assessment.answers.order_by("pk")
    client = client_for(plan_cast["unit_leader"])
    url = reverse("plans:self-assessment-edit", args=[assessment.pk])
    response = client.post(
        url,
        {
            "conducted_on": "2025-11-03",
            "participants": "Plangruppen",
            f"score_{first.pk}": "4",
            f"reflection_{first.pk}": "Vi er gode på dette.",
            f"reflection_{second.pk}": "Her er vi uenige.",
            f"score_{third.pk}": "2",
            "complete": "1",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 påstand mangler vurdering" in body
    assert "Her er vi uenige." in body  # the page keeps what was typed …
    second.refresh_from_db()
    assert second.reflection == "Her er vi uenige."  # … and so does the database
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.conducted_on == datetime.date(2025, 11, 3)


def test_completed_assessment_opens_read_only(plan_cast, client_for):
    tool = school_tool(plan_cast)
    assessment = completed_assessment(plan_cast.school, tool, [4, 3, 2])
    client = client_for(plan_cast["unit_leader"])
    edit = client.get(reverse("plans:self-assessment-edit", args=[assessment.pk]))
    assert edit["Location"] == reverse("plans:self-assessment-detail", args=[assessment.pk])
    answer = assessment.answers.first()
    client.post(
        reverse("plans:self-assessment-edit", args=[assessment.pk]),
        {"conducted_on": "2025-03-01", f"score_{answer.pk}": "1", "save": "1"},
    )
    answer.refresh_from_db()
    assert answer.score == 4
    detail = client.get(reverse("plans:self-assessment-detail", args=[assessment.pk]))
    body = detail.content.decode()
    assert "3,5" in body  # the first area's average
    assert "Fortsett egenvurderingen" not in body


def test_unit_page_charts_the_scores_over_time_with_a_table(plan_cast, client_for):
    tool = school_tool(plan_cast)
    completed_assessment(plan_cast.school, tool, [2, 2, 1], on=datetime.date(2024, 2, 1))
    completed_assessment(plan_cast.school, tool, [4, 3, 2], on=datetime.date(2025, 2, 1))
    body = (
        client_for(plan_cast["staff"])
        .get(reverse("plans:self-assessment-unit", args=[plan_cast.school.pk]))
        .content.decode()
    )
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in body
    assert body.count('class="series"') == 2
    assert "01.02.2024" in body
    assert "01.02.2025" in body
    assert "<caption>" in body
    assert "3,5" in body  # Inkluderende miljø in 2025
    assert "2,0" in body


def test_sector_page_compares_units_per_area(plan_cast, client_for):
    tool = school_tool(plan_cast)
    completed_assessment(plan_cast.school, tool, [4, 3, 2])
    body = (
        client_for(plan_cast["sector_leader"])
        .get(reverse("plans:self-assessment-sector"))
        .content.decode()
    )
    assert body.count('role="img"') == 2  # one chart per area
    assert 'data-label="Solvik barneskole" data-value="3.50"' in body
    assert "ikke vurdert" in body  # the units that have not assessed themselves
    assert "Snitt i sektoren" in body


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sector_page_query_count_does_not_grow_with_units(plan_cast, client_for):
    tool = school_tool(plan_cast)
    client = client_for(plan_cast["sector_leader"])
    url = reverse("plans:self-assessment-sector")

    def add_units(count, start):
        for n in range(start, start + count):
            unit = UnitFactory(
                municipality=plan_cast.municipality, name=f"Skole {n}", kind=UnitKind.SCHOOL
            )
            completed_assessment(unit, tool, [n % 4 + 1, 2, 3])

    add_units(3, 0)
    client.get(url)  # the first request after login also stamps the session
    few = _count_queries(client, url)
    add_units(9, 3)
    many = _count_queries(client, url)
    assert few == many
    assert "Skole 11" in client.get(url).content.decode()


def test_only_sector_leaders_manage_statements(plan_cast, client_for):
    tool = school_tool(plan_cast)
    add_url = reverse("plans:quality-tool-statement-add", args=[tool.pk])
    data = {"area": plan_cast.areas[1].pk, "text": "Vi kartlegger tidlig.", "order": "5"}
    assert client_for(plan_cast["unit_leader"]).post(add_url, data).status_code == 403
    response = client_for(plan_cast["sector_leader"]).post(add_url, data)
    assert response.status_code == 302
    assert tool.statements.filter(text="Vi kartlegger tidlig.").exists()
    detail = client_for(plan_cast["staff"]).get(
        reverse("plans:quality-tool-detail", args=[tool.pk])
    )
    assert "Vi kartlegger tidlig." in detail.content.decode()
    assert "Legg til påstand" not in detail.content.decode()


def test_a_megabyte_reflection_is_refused_and_no_answer_is_written(plan_cast):
    assessment = draft_for(plan_cast)
    first, second, _third = assessment.answers.order_by("pk")
    with pytest.raises(ValidationError) as caught:
        self_assessment_save(
            assessment=assessment,
            answers={
                first.pk: {"score": 3, "reflection": "Kort."},
                second.pk: {"score": 2, "reflection": "x" * (1024 * 1024)},
            },
            actor=plan_cast["unit_leader"],
            complete=False,
        )
    assert set(caught.value.message_dict) == {"reflection"}
    saved = {(answer.score, answer.reflection) for answer in assessment.answers.all()}
    assert saved == {(None, "")}
