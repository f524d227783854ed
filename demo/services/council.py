"""The demo's council treatment of last year's report: the treatment (case number, meeting
dates, decision), follow-up items in mixed states with their history, and two questions
from an elected official, one answered. Content in ``fixtures/demo/council.json``; every
row is written through ``reports.services.council``, so the demo gets the same checks as
the portal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from django.contrib.auth import get_user_model
from django.db import transaction

from plans.demo_data import DemoDataError, read_demo_data
from plans.models import Municipality, QualityPlan
from reports.models import FollowUpStatus, StatusReport
from reports.services import council
from reports.services.report_years import report_year_open

# (years after the report year starts, month, day): the report for 2024/25 is treated in
# the autumn of 2025, so its meetings are at offset 1 and its deadlines at 1 or 2.
RelativeDate = tuple[int, int, int]


@dataclass(frozen=True)
class DemoFollowUp:
    title: str
    description: str
    owner: str  # a demo user's username
    due: RelativeDate
    # The status changes in order: (status, note, by username).
    history: tuple[tuple[Annotated[str, FollowUpStatus], str, str], ...]


@dataclass(frozen=True)
class DemoQuestion:
    asked_by: str
    text: str
    answered_by: str | None
    answer: str


@dataclass(frozen=True)
class CouncilDemoData:
    year: int
    committee: str
    committee_meeting: RelativeDate
    council_meeting: RelativeDate
    case_number: str
    decision: str
    recorded_by: str
    follow_up: tuple[DemoFollowUp, ...]
    questions: tuple[DemoQuestion, ...]


def council_demo_data_get(*, directory: Path | None = None) -> CouncilDemoData:
    return read_demo_data("council.json", CouncilDemoData, directory=directory)


def _date(year: int, relative: RelativeDate) -> datetime.date:
    offset, month, day = relative
    return datetime.date(year + offset, month, day)


@transaction.atomic
def demo_council_load(
    *,
    municipality: Municipality,
    plan: QualityPlan,
    published_report: StatusReport | None = None,
    directory: Path | None = None,
) -> dict[str, int]:
    """Record the treatment of the demo's last-year report. The decision, the follow-up
    items and the questions need the published report (the portal refuses them before
    publishing); without it only the case number, committee and dates are recorded."""
    data = council_demo_data_get(directory=directory)
    year = published_report.year if published_report is not None else data.year
    users = {
        user.username: user
        for user in get_user_model().objects.filter(memberships__municipality=municipality)
    }

    def user(username: str):
        if username not in users:
            raise DemoDataError(f"council.json: ukjent bruker {username!r} i {municipality}")
        return users[username]

    report_year = report_year_open(quality_plan=plan, year=year)
    recorder = user(data.recorded_by)
    council.treatment_save(
        report_year=report_year,
        user=recorder,
        committee=data.committee,
        committee_meeting_on=_date(year, data.committee_meeting),
        council_meeting_on=_date(year, data.council_meeting),
        case_number=data.case_number,
        decision=data.decision if published_report is not None else "",
    )
    counts = {"follow_up_items": 0, "questions": 0}
    if published_report is None:
        return counts
    for spec in data.follow_up:
        item = council.follow_up_item_create(
            report_year=report_year,
            user=recorder,
            title=spec.title,
            description=spec.description,
            owner=user(spec.owner),
            due_on=_date(year, spec.due),
        )
        for status, note, by in spec.history:
            item = council.follow_up_item_status_update(
                item=item, user=user(by), status=status, note=note
            )
        counts["follow_up_items"] += 1
    for question_spec in data.questions:
        question = council.question_submit(
            report=published_report,
            user=user(question_spec.asked_by),
            text=question_spec.text,
            notify=False,
        )
        if question_spec.answered_by:
            council.question_answer_save(
                question=question,
                user=user(question_spec.answered_by),
                answer=question_spec.answer,
            )
        counts["questions"] += 1
    return counts
