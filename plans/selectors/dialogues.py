"""Reads for the leader dialogues: the agenda generated from the unit's plan, measures,
self-assessment trend, last year's open points and (through ``plans.dialogue_agenda``)
its indicators; who may be chosen as a counterpart or a point's owner; the list page and
the follow-up of agreed points on the unit plan page and the home page. Everything
scoped starts from ``visible_to``."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import dialogue_agenda
from plans.models import (
    AgreedPoint,
    Dialogue,
    DialogueKind,
    Measure,
    MeasureStatus,
    Membership,
    PointStatus,
    QualityPlan,
    Role,
    Unit,
    UnitPlan,
    overdue_measure_q,
)
from plans.selectors.assessment import unit_history

# How many overdue measures the agenda names; the count covers the rest.
OVERDUE_LISTED = 10


def _day(value: datetime.date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- Who may take part --------------------------------------------------------------------


def dialogue_counterpart_candidates(*, unit: Unit, kind: str) -> QuerySet:
    """The people a dialogue of ``kind`` with ``unit`` may be held with: the unit's
    leaders for a unit dialogue, its staff for a team dialogue (grants in force only)."""
    role = Role.UNIT_LEADER if kind == DialogueKind.UNIT else Role.STAFF
    members = Membership.objects.in_force().filter(unit=unit, role=role)
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"), is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def dialogue_point_owner_candidates(*, unit: Unit) -> QuerySet:
    """Who may own an agreed point: a member of the unit (any role there) or a sector
    leader of its municipality."""
    members = Membership.objects.in_force().filter(
        Q(unit=unit) | Q(municipality_id=unit.municipality_id, role=Role.SECTOR_LEADER)
    )
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"), is_active=True)
        .order_by("last_name", "first_name", "username")
    )


# --- The agenda ---------------------------------------------------------------------------


def _plan_section(plan: UnitPlan | None) -> dict:
    if plan is None:
        return {"exists": False}
    goals = [
        {
            # A goal without an area is one of the unit's own (outside the shared areas).
            "area": goal.area.name if goal.area else _("Enhetens eget mål"),
            "text": goal.text,
            "attainment": goal.get_attainment_display() if goal.attainment else "",
        }
        for goal in plan.goals.select_related("area")
    ]
    return {
        "exists": True,
        "id": plan.pk,
        "status": plan.get_status_display(),
        "areas": [area.name for area in plan.areas.all()],
        "goals": goals,
    }


def _measures_section(plan: UnitPlan | None, today: datetime.date) -> dict:
    if plan is None:
        return {"counts": [], "total": 0, "overdue_count": 0, "overdue": []}
    measures = Measure.objects.filter(plan=plan)
    by_status = dict(
        measures.values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("status", "count")
    )
    overdue = measures.filter(overdue_measure_q(today)).order_by("end", "pk")
    overdue_count = overdue.count()
    return {
        "counts": [
            {"status": str(label), "count": by_status.get(code, 0)}
            for code, label in MeasureStatus.choices
        ],
        "total": sum(by_status.values()),
        "overdue_count": overdue_count,
        "overdue": [
            {"text": measure.description, "end": _day(measure.end)}
            for measure in overdue[:OVERDUE_LISTED]
        ],
    }


def _assessment_section(user, unit: Unit) -> list[dict]:
    """Per area, the last two completed self-assessments' averages and the direction."""
    history = unit_history(user, unit)
    rows = []
    for name, points in history.series():
        present = [(label, value) for label, value in points if value is not None]
        if not present:
            continue
        latest_label, latest = present[-1]
        row = {"area": name, "latest": str(latest), "latest_on": latest_label}
        if len(present) >= 2:
            previous_label, previous = present[-2]
            row |= {
                "previous": str(previous),
                "previous_on": previous_label,
                "trend": "up" if latest > previous else "down" if latest < previous else "same",
            }
        rows.append(row)
    return rows


def _previous_points(unit: Unit, school_year: int) -> list[dict]:
    points = (
        AgreedPoint.objects.filter(
            dialogue__unit=unit, dialogue__school_year=school_year - 1, status=PointStatus.OPEN
        )
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    return [
        {"text": point.text, "owner": _name(point.owner), "due_on": _day(point.due_on)}
        for point in points
    ]


def dialogue_agenda_build(
    *, unit: Unit, school_year: int, user, today: datetime.date | None = None
) -> dict:
    """The agenda as it stands now, JSON-ready, to be stored frozen on the dialogue: the
    unit's plan for the year (state, areas, goals and attainment), its measures by status
    and the overdue ones (``overdue_measure_q``, the one definition), the self-assessment
    trend per area, last year's open agreed points and the sections other apps register
    (the indicators). A fixed number of queries."""
    today = today or timezone.localdate()
    plan = (
        UnitPlan.objects.filter(unit=unit, school_year=school_year)
        .select_related("quality_plan")
        .first()
    )
    if plan is not None:
        area_keys = list(plan.areas.values_list("key", flat=True))
    else:
        in_force = QualityPlan.objects.filter(municipality_id=unit.municipality_id).in_force()
        area_keys = list(in_force.areas.values_list("key", flat=True)) if in_force else []
    return {
        "generated_on": _day(today),
        "plan": _plan_section(plan),
        "measures": _measures_section(plan, today),
        "assessments": _assessment_section(user, unit),
        "previous_points": _previous_points(unit, school_year),
        "sections": dialogue_agenda.sections_build(
            unit=unit, school_year=school_year, area_keys=area_keys, user=user
        ),
    }


# --- Pages --------------------------------------------------------------------------------


def dialogues_for_list(user) -> QuerySet[Dialogue]:
    return (
        Dialogue.objects.visible_to(user)
        .select_related("unit", "leader")
        .prefetch_related("counterparts")
        .annotate(
            open_points=Count("points", filter=Q(points__status=PointStatus.OPEN), distinct=True)
        )
    )


def units_without_unit_dialogue(user, school_year: int) -> list[Unit]:
    """For sector leaders: the active units of the municipality with no
    «virksomhetssamtale» in the school year yet."""
    held = Dialogue.objects.visible_to(user).filter(kind=DialogueKind.UNIT, school_year=school_year)
    return list(
        Unit.objects.visible_to(user)
        .active()
        .exclude(pk__in=held.values("unit_id"))
        .order_by("name")
    )


def dialogue_years(user) -> list[int]:
    return sorted(
        set(Dialogue.objects.visible_to(user).values_list("school_year", flat=True)),
        reverse=True,
    )


def points_for_unit(user, unit: Unit) -> list[AgreedPoint]:
    """The agreed points of the unit's unit dialogues («Avtalt i virksomhetssamtale») the
    user may read: the unit's leaders and sector leaders all of them, anyone else those
    they own."""
    return list(
        AgreedPoint.objects.visible_to(user)
        .filter(dialogue__unit=unit, dialogue__kind=DialogueKind.UNIT)
        .exclude(status=PointStatus.DROPPED)
        .select_related("owner", "dialogue")
        .order_by("status", "due_on", "pk")
    )


def open_points_of_owner(user) -> list[AgreedPoint]:
    """The home page's panel: the user's own open points, the overdue first."""
    return list(
        AgreedPoint.objects.visible_to(user)
        .filter(owner_id=user.pk, status=PointStatus.OPEN)
        .select_related("dialogue__unit")
        .order_by("due_on", "pk")
    )


def dialogue_home_panel(user) -> dict | None:
    points = open_points_of_owner(user)
    if not points:
        return None
    today = timezone.localdate()
    return {
        "points": points,
        "overdue": sum(1 for point in points if point.due_on < today),
        "today": today,
    }
