"""The demo's administration's assessment (``fixtures/demo/report_assessments.json``): last
year's report fully written and final, this year's half written — some areas final, some
in draft or review, the whole report's text partly answered, and writers invited.

Everything is written through the assessment services, so the demo's history pages show
the same rows a real writer leaves."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from typing import Annotated

from django.contrib.auth import get_user_model
from django.utils import timezone

from plans.demo_data import DemoDataError, read_demo_data
from plans.schoolyear import SchoolYear
from reports.models import AssessmentQuestion, AssessmentState
from reports.services import assessments as assessment_services


@dataclasses.dataclass(frozen=True)
class DemoAnswer:
    text: str = ""
    no_change: bool = False


@dataclasses.dataclass(frozen=True)
class DemoPart:
    # The development area's name in the demo plan; null for the whole report.
    area: str | None
    state: Annotated[str, AssessmentState]
    written_by: str
    answers: dict[str, DemoAnswer]
    writers: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class DemoReportYear:
    # The report's year counted back from the current school year (1: the last one).
    years_back: int
    parts: tuple[DemoPart, ...]


@dataclasses.dataclass(frozen=True)
class DemoAssessments:
    years: tuple[DemoReportYear, ...]


def _check(data: DemoAssessments) -> Iterator[tuple[str, str]]:
    questions = {question.value for question in AssessmentQuestion}
    for y, year in enumerate(data.years):
        for p, part in enumerate(year.parts):
            where = f"years[{y}].parts[{p}]"
            for key, answer in part.answers.items():
                if key not in questions:
                    yield (
                        f"{where}.answers.{key}",
                        f"ukjent spørsmål (gyldige: {sorted(questions)})",
                    )
                if answer.no_change and answer.text:
                    yield f"{where}.answers.{key}", "enten text eller no_change, ikke begge"
            if part.state == AssessmentState.FINAL and set(part.answers) != questions:
                yield f"{where}.answers", "en ferdig vurdering svarer på alle fem spørsmålene"


def _read() -> DemoAssessments:
    return read_demo_data("report_assessments.json", DemoAssessments, check=_check)


def demo_assessments_load(
    *, municipality, plan, today: datetime.date | None = None
) -> dict[str, int]:
    """Write the demo's assessments for ``plan`` (the demo municipality's plan in force),
    the years counted back from ``today``'s school year. Returns how many parts were
    written. Expects no assessment for those years yet (the demo's reset purges them)."""
    data = _read()
    current = SchoolYear.current(today or timezone.localdate()).start_year
    users = {
        user.username: user
        for user in get_user_model().objects.filter(memberships__municipality=municipality)
    }
    areas = {area.name: area for area in plan.areas.all()}
    for year in data.years:
        for part in year.parts:
            if part.area is not None and part.area not in areas:
                raise DemoDataError(f"report_assessments.json: ukjent område {part.area!r}")
            for username in (part.written_by, *part.writers):
                if username not in users:
                    raise DemoDataError(f"report_assessments.json: ukjent bruker {username!r}")
    leader = users["sektorleder"]
    written = 0
    for year in data.years:
        report_year = assessment_services.assessments_start(
            quality_plan=plan, year=current - year.years_back
        )
        by_area = {a.area_id: a for a in report_year.assessments.all()}
        for part in year.parts:
            area_id = areas[part.area].pk if part.area else None
            assessment = by_area[area_id]
            for username in part.writers:
                assessment_services.assessment_writer_add(
                    assessment=assessment, user=leader, invitee=users[username]
                )
            if part.answers:
                assessment = assessment_services.assessment_update(
                    assessment=assessment,
                    user=users[part.written_by],
                    answers={
                        key: (answer.text, answer.no_change) for key, answer in part.answers.items()
                    },
                )
            if part.state in (AssessmentState.REVIEW, AssessmentState.FINAL):
                assessment = assessment_services.assessment_submit(
                    assessment=assessment, user=users[part.written_by]
                )
            if part.state == AssessmentState.FINAL:
                assessment_services.assessment_approve(assessment=assessment, user=leader)
            written += 1
    return {"assessments": written}
