"""The status report's data: everything the report shows, collected once into plain JSON.

The HTML preview and the PDF both render from this snapshot, and a published report keeps
it for ever, so a published report reads the same however the data changes later.

The report follows KS's three questions (*hvor er vi, hvor vil vi, hvordan kommer vi
dit*) and reports goal attainment yearly as Asker did: the share of the year's targets
that were met. Every read starts from a ``visible_to(user)`` queryset of the person who
ordered the report (a sector leader), and what reaches the snapshot is what an elected
official may read: aggregates, counts of people below the suppression threshold hidden,
and only the fortellinger consented for publishing.

The number of queries is fixed: every part is read for all development areas at once.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.models import Activity
from competence.selectors.reports import (
    PublishedFigures,
    PublishedRow,
    evaluation,
    published_evaluation,
)
from indicators.findings import read_indicator
from indicators.models import Commentary, Indicator
from indicators.selectors.figures import (
    COUNTRY,
    MUNICIPALITY,
    IndicatorSeries,
    Line,
    Point,
    figure_in_year,
    municipality_places,
    series_for,
    subgroup_label,
    targets_by_indicator,
    year_label,
)
from indicators.targets import TargetValue, adoption_text, describe, target_book
from plans import disclosure
from plans.charts import format_value
from plans.models import (
    OPEN_MEASURE_STATES,
    Attainment,
    DevelopmentArea,
    MeasureStatus,
    Membership,
    ParticipationInput,
    QualityPlan,
    Role,
    UnitGoal,
    UnitPlan,
    UserJourney,
)
from plans.schoolyear import SchoolYear
from plans.selectors.dashboard import area_rows
from plans.selectors.trace import area_traces, scope_published
from reports.bti import bti_section
from reports.models import LawTopic
from reports.schema import SCHEMA_VERSION
from reports.selectors.assessments import assessment_snapshot
from reports.selectors.branding import report_branding_snapshot
from reports.selectors.council import council_snapshot
from reports.selectors.law_topics import has_figure_for_year, law_topics_for

MAX_STORIES_PER_AREA = 6


def _text(value: Decimal | None, decimals: int) -> str | None:
    return None if value is None else format_value(value, decimals)


def _amount(value: Decimal | None, indicator: Indicator) -> str:
    if value is None:
        return ""
    text = format_value(value, indicator.decimals)
    return f"{text} {indicator.unit_of_measure}".strip()


def _percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


# --- Indicators -------------------------------------------------------------------------


def _point_json(point: Point) -> list:
    return [
        point.period_label,
        point.period_start.isoformat(),
        point.period_end.isoformat(),
        None if point.value is None else str(point.value),
        point.status,
        point.symbol,
    ]


def point_from_json(row: list) -> Point:
    label, start, end, value, status, symbol = row
    return Point(
        period_label=label,
        period_start=datetime.date.fromisoformat(start),
        period_end=datetime.date.fromisoformat(end),
        value=None if value is None else Decimal(value),
        status=status,
        symbol=symbol,
    )


def _attainment(
    indicator: Indicator, own: list[Point], target: TargetValue | None, year: int
) -> dict:
    """Whether the year's target was met: ``met``, ``not_met``, ``no_value`` (the year's
    figure is suppressed or missing), ``not_judged`` (no direction is better) or
    ``unresolvable`` (the target's own value cannot be computed: its baseline or its
    comparison place has no figure). ``adopted`` tells the council's targets from the
    administration's."""
    if target is None:
        return {"status": "no_target", "label": "", "adopted": False}
    adopted = target.adopted
    if indicator.higher_is_better is None:
        return {"status": "not_judged", "label": _("Vurderes ikke"), "adopted": adopted}
    if target.value is None:
        return {
            "status": "unresolvable",
            "label": _("Kan ikke vurderes (%(reason)s)") % {"reason": target.unresolved_text},
            "adopted": adopted,
        }
    figure = figure_in_year(own, year)
    if figure is None or figure.value is None:
        return {
            "status": "no_value",
            "label": _("Kan ikke vurderes (mangler tall)"),
            "adopted": adopted,
        }
    value = figure.value
    difference = value - target.value
    met = difference == 0 or (difference > 0) == indicator.higher_is_better
    return {
        "status": "met" if met else "not_met",
        "label": _("Nådd") if met else _("Ikke nådd"),
        "value": _amount(value, indicator),
        "period": figure.period_label,
        "adopted": adopted,
    }


UNKNOWN_ATTAINMENT = ("no_value", "not_judged", "unresolvable")


def attainment_by_adoption(items) -> dict[str, dict[str, int]]:
    """Goal attainment counted apart for the council's targets and the administration's:
    per kind the targets met, those assessed (met or not) and those that could not be."""
    counts = {key: {"met": 0, "assessed": 0, "unknown": 0} for key in ("adopted", "administrative")}
    for item in items:
        attainment = item["attainment"]
        status = attainment["status"]
        if status == "no_target":
            continue
        bucket = counts["adopted" if attainment.get("adopted") else "administrative"]
        if status in ("met", "not_met"):
            bucket["assessed"] += 1
            bucket["met"] += status == "met"
        elif status in UNKNOWN_ATTAINMENT:
            bucket["unknown"] += 1
    return counts


def _target_json(value: TargetValue, indicator: Indicator, periods) -> dict:
    """A target's value for a year as the report prints it, with what kind it is and
    whether the council adopted it; an unresolvable one says why instead of a value."""
    return {
        "year": value.year,
        "year_label": year_label(value.year, periods),
        "value": _amount(value.value, indicator),
        "unresolved": value.unresolved_text,
        "kind": describe(value.target, periods),
        "milestone": value.milestone,
        "adopted": value.adopted,
        "adoption": adoption_text(value.target),
    }


def _area_links(user, municipality, areas) -> list[tuple[int, int]]:
    """(area id, indicator id) for the areas' indicators the report's municipality sees:
    the installation's and its own."""
    return list(
        Indicator.areas.through.objects.filter(
            developmentarea_id__in=[area.pk for area in areas],
            indicator__in=Indicator.objects.visible_to(user)
            .for_municipality(municipality.pk)
            .values("pk"),
        ).values_list("developmentarea_id", "indicator_id")
    )


def _indicator_entries(
    user, municipality, indicator_ids, places, year
) -> tuple[dict[int, Indicator], dict[int, dict], set[int]]:
    """One entry per indicator, however it is reached (a development area or one of the
    law's topics): its figures up to the report's year, target, attainment, findings,
    commentary and chart input. Returns the indicators, the entries, and the ids of those
    with a figure for the year. A fixed number of queries however many indicators."""
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(pk__in=sorted(indicator_ids)).select_related(
            "source"
        )
    }
    ids = sorted(indicators)
    # The indicator page's read model, up to the report's year.
    all_series = series_for(list(indicators.values()), municipality, places=places, until_year=year)
    targets = targets_by_indicator(ids, municipality, whole_municipality=True, user=user)
    # Every target's value for its years, through the one resolver.
    book = target_book(
        [target for found in targets.values() for target in found], municipality, places=places
    )
    commentary = dict(
        Commentary.objects.visible_to(user)
        .filter(indicator_id__in=ids, municipality=municipality)
        .values_list("indicator_id", "text")
    )
    built: dict[int, dict] = {}
    with_year_figure: set[int] = set()
    for pk, indicator in indicators.items():
        data = all_series[pk]
        subgroup = data.main_subgroup
        if subgroup is None:
            continue
        if has_figure_for_year(data, year):
            with_year_figure.add(pk)
        built[pk] = _indicator_entry(
            indicator,
            data,
            subgroup,
            book.values(pk, subgroup),
            commentary.get(pk, ""),
            municipality,
            year,
        )
    return indicators, built, with_year_figure


def _indicator_entry(
    indicator, data, subgroup, own_targets, commentary, municipality, year
) -> dict:
    """``own_targets``: the whole municipality's target values for the subgroup, by year
    (``TargetBook.values``)."""
    own = data.points(MUNICIPALITY, subgroup)
    country = data.points(COUNTRY, subgroup)
    periods = [(p.period_label, p.year) for p in own]  # names a target's year alike
    year_target = next((t for t in own_targets if t.year == year), None)
    later = [t for t in own_targets if t.year > year]
    earlier = [t for t in own_targets if t.year <= year]
    reading = read_indicator(
        indicator,
        own,
        country,
        year_target or (later[0] if later else (earlier[-1] if earlier else None)),
        place_name=municipality.name,
        subgroup=subgroup,
    )
    latest = data.latest(subgroup)
    country_latest = data.at_latest(subgroup, COUNTRY)
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "source": indicator.source.name,
        "unit_of_measure": indicator.unit_of_measure,
        "decimals": indicator.decimals,
        "higher_is_better": indicator.higher_is_better,
        "subgroup": subgroup,
        "subgroup_label": subgroup_label(subgroup),
        "description": indicator.description,
        "latest": {
            "period": latest.period_label,
            "value": _amount(latest.value, indicator),
            "country": _amount(country_latest.value, indicator)
            if country_latest and country_latest.has_value
            else "",
        }
        if latest
        else None,
        "target": _target_json(year_target, indicator, periods) if year_target else None,
        "later_targets": [_target_json(t, indicator, periods) for t in later],
        "attainment": _attainment(indicator, own, year_target, year),
        "findings": {"positive": reading.positive, "attention": reading.attention},
        "commentary": commentary,
        # What the charts stage draws from (reports.charts), kept as data.
        "series": [
            {
                "key": line.key,
                "label": line.label,
                "points": [_point_json(p) for p in line.for_subgroup(subgroup)],
            }
            for line in data.lines
            if line.for_subgroup(subgroup)
        ],
        # Only values that could be computed: the chart draws no made-up target.
        "targets": [
            {"year": t.year, "value": str(t.value)}
            for t in own_targets
            if t.year <= year and t.value is not None
        ],
        "chart": None,
    }


def _indicators_by_area(links, indicators, built) -> dict[int, list[dict]]:
    by_area: dict[int, list[dict]] = defaultdict(list)
    for area_id, indicator_id in sorted(links, key=lambda link: indicators[link[1]].name):
        if indicator_id in built:
            by_area[area_id].append(built[indicator_id])
    return by_area


def _law_topics(topics, built, with_year_figure) -> list[dict]:
    """A chapter per topic of opplæringslova § 17-12, each with its indicators' entries (a
    copy: the charts stage draws each placement with its own ids)."""
    chapters = []
    for topic, chosen in topics.items():
        entries = [copy.deepcopy(built[i.pk]) for i in chosen if i.pk in built]
        chapters.append(
            {
                "key": topic,
                "name": str(LawTopic(topic).label),
                "anchor": f"tema-{topic}",
                "indicators": entries,
                "without_year_figure": [i.name for i in chosen if i.pk not in with_year_figure],
            }
        )
    return chapters


def area_indicators(user, report_year, areas, year: int) -> dict[int, list[dict]]:
    """The report's indicator read model for ``areas`` (latest value, target, attainment),
    for the writing page to show beside the text as the report will."""
    municipality = report_year.municipality
    links = _area_links(user, municipality, areas)
    indicators, built, _with_year_figure = _indicator_entries(
        user, municipality, {i for _area, i in links}, municipality_places(municipality), year
    )
    return _indicators_by_area(links, indicators, built)


@dataclass(frozen=True)
class StoredTarget:
    """A target's value for a year as the snapshot keeps it (for the chart)."""

    year: int
    value: Decimal | None


def indicator_series_from_json(item: dict) -> tuple[IndicatorSeries, list[StoredTarget]]:
    """The chart input kept in the snapshot, as the objects ``indicator_chart`` takes."""
    indicator = Indicator(
        name=item["name"],
        unit_of_measure=item["unit_of_measure"],
        decimals=item["decimals"],
        higher_is_better=item["higher_is_better"],
    )
    subgroup = item["subgroup"]
    lines = [
        Line(line["key"], line["label"], {subgroup: [point_from_json(p) for p in line["points"]]})
        for line in item["series"]
    ]
    data = IndicatorSeries(
        indicator=indicator,
        municipality=None,
        lines=lines,
        subgroups=[subgroup],
        kostra_groups=[],
        kostra=None,
        units=[],
    )
    targets = [StoredTarget(year=t["year"], value=Decimal(t["value"])) for t in item["targets"]]
    return data, targets


# --- Unit plans, fortellinger, competence ---------------------------------------------------


def _unit_goal_attainment(user, plan: QualityPlan, year: int) -> dict[Any, dict[str, int]]:
    counts: dict[Any, dict[str, int]] = defaultdict(dict)
    for row in (
        UnitGoal.objects.filter(
            plan__in=UnitPlan.objects.visible_to(user)
            .filter(unit__municipality=plan.municipality, school_year=year)
            .values("pk")
        )
        .order_by()
        .values("area__key", "attainment")
        .annotate(n=Count("pk"))
    ):
        counts[row["area__key"]][row["attainment"] or "open"] = row["n"]
    return counts


def _own_goals(user, plan: QualityPlan, year: int) -> dict[str, Any]:
    """The units' own goals («Enhetens egne mål», no development area) of the year, apart
    from the areas' chapters: each with its unit and attainment, and counted by attainment.
    Read through ``visible_to`` like the areas' goals."""
    goals = list(
        UnitGoal.objects.filter(
            area__isnull=True,
            plan__in=UnitPlan.objects.visible_to(user)
            .filter(unit__municipality=plan.municipality, school_year=year)
            .values("pk"),
        )
        .select_related("plan__unit")
        .order_by("plan__unit__name", "order", "pk")
    )
    labels = dict(Attainment.choices)
    return {
        "total": len(goals),
        "attainment": [
            {
                "label": str(label),
                "count": sum(1 for goal in goals if (goal.attainment or "open") == value),
            }
            for value, label in [*Attainment.choices, ("open", _("Ikke vurdert"))]
        ],
        "items": [
            {
                "unit": goal.plan.unit.name,
                "text": goal.text,
                "attainment": str(labels.get(goal.attainment, _("Ikke vurdert"))),
            }
            for goal in goals
        ],
    }


def _area_owners(areas: list[DevelopmentArea], municipality) -> dict[int, dict[str, str]]:
    """Each area's owner as the report names them: name and role (the sector leader, or
    the unit leader and the unit), read from the memberships in force in one query."""
    owner_ids = {area.owner_id for area in areas if area.owner_id}
    roles: dict[int, str] = {}
    for membership in (
        Membership.objects.in_force()
        .filter(user_id__in=owner_ids, municipality=municipality)
        .select_related("unit")
        .order_by("role", "unit__name")
    ):
        if membership.role == Role.SECTOR_LEADER or membership.user_id not in roles:
            roles[membership.user_id] = (
                str(Role(membership.role).label)
                if membership.unit is None or membership.role == Role.SECTOR_LEADER
                else f"{Role(membership.role).label}, {membership.unit.name}"
            )
    return {
        area.pk: {
            "name": area.owner.get_full_name() or area.owner.username,
            "role": roles.get(area.owner.pk, ""),
        }
        for area in areas
        if area.owner is not None
    }


def _units_next_year(user, plan: QualityPlan, year: int, keys: list) -> dict[Any, int]:
    return {
        row["areas__key"]: row["n"]
        for row in UnitPlan.objects.visible_to(user)
        .filter(unit__municipality=plan.municipality, school_year=year + 1, areas__key__in=keys)
        .order_by()
        .values("areas__key")
        .annotate(n=Count("unit_id", distinct=True))
    }


def _stories(user, plan: QualityPlan, year: int, keys: list) -> dict[Any, list[dict]]:
    """Fortellinger given in the school year, linked to an area, consented for publishing
    (``published()`` as well as the scope, whoever ordered the report)."""
    inputs = (
        ParticipationInput.objects.visible_to(user)
        .published()
        .filter(SchoolYear(year).q("given_on"), municipality=plan.municipality)
    )
    links = (
        ParticipationInput.areas.through.objects.filter(
            participationinput__in=inputs.values("pk"), developmentarea__key__in=keys
        )
        .select_related("participationinput__unit", "developmentarea")
        .order_by("-participationinput__given_on", "-participationinput_id")
    )
    found: dict[Any, list[dict]] = defaultdict(list)
    for link in links:
        item = link.participationinput
        bucket = found[link.developmentarea.key]
        if len(bucket) >= MAX_STORIES_PER_AREA or any(s["id"] == item.pk for s in bucket):
            continue
        bucket.append(
            {
                "id": item.pk,
                "quote": item.quote,
                "descriptor": item.descriptor,
                "group": item.get_group_display(),
                "setting": item.get_setting_display(),
                "unit": item.unit.name if item.unit else "",
                "given_on": item.given_on.isoformat(),
            }
        )
    return found


def _journeys(user, plan: QualityPlan, year: int, keys: list) -> dict[Any, list[dict]]:
    """User journeys carried out in the school year, in each area they are linked to, only
    those consented for publishing (``published()`` as well as the scope, as the
    fortellinger): what an elected official may read. Two queries."""
    journeys = (
        UserJourney.objects.visible_to(user)
        .published()
        .filter(SchoolYear(year).q("carried_out_on"), municipality=plan.municipality)
    )
    links = (
        UserJourney.areas.through.objects.filter(
            userjourney__in=journeys.values("pk"), developmentarea__key__in=keys
        )
        .select_related("userjourney", "developmentarea")
        .prefetch_related("userjourney__steps")
        .order_by("-userjourney__carried_out_on", "userjourney__title", "userjourney_id")
    )
    found: dict[Any, list[dict]] = defaultdict(list)
    for link in links:
        journey = link.userjourney
        found[link.developmentarea.key].append(
            {
                "id": journey.pk,
                "title": journey.title,
                "description": journey.description,
                # The year filter leaves out journeys without a date.
                "carried_out_on": journey.carried_out_on.isoformat()
                if journey.carried_out_on
                else None,
                "findings": journey.finding_lines(),
                "steps": [
                    {
                        "service": step.service,
                        "what_happened": step.what_happened,
                        "assessment": step.assessment,
                        "assessment_label": step.get_assessment_display(),
                    }
                    for step in journey.steps.all()
                ],
            }
        )
    return found


def _competence(user, year: int, keys: list, now) -> tuple[dict[Any, dict], dict]:
    """Per area the year's activities with attendance, and the year's total: the
    evaluation page's cells (``published_evaluation``), so the report adds nothing."""
    result = published_evaluation(evaluation(user, year, now=now))
    by_area = {}
    for key in keys:
        rows, sums = result.area_table(key)
        by_area[key] = _competence_table(rows, sums)
    return by_area, _competence_table(result.rows, result.total)


def _rate(figures: PublishedFigures) -> str:
    if figures.attendance_rate is not None:
        return format_value(figures.attendance_rate, 1) + " %"
    return "" if figures.rate_mark == "–" else figures.rate_mark


def _average(figures: PublishedFigures) -> str:
    if figures.feedback_average is not None:
        return format_value(figures.feedback_average, 2)
    return "" if figures.average_mark == "–" else figures.average_mark


def _competence_table(rows: list[PublishedRow], sums: PublishedFigures) -> dict:
    return {
        "rows": [
            {
                "title": row.activity.title,
                "form": row.activity.get_form_display(),
                "sessions_held": row.sessions_held,
                "confirmed": row.confirmed,
                "attended": row.attended,
                "rate": _rate(row),
                "feedback": row.feedback_count,
                "feedback_average": _average(row),
            }
            for row in rows
        ],
        "activities": len(rows),
        "sessions_held": sum(row.sessions_held for row in rows),
        "confirmed": sums.confirmed,
        "attended": sums.attended,
        "rate": _rate(sums),
        "feedback": sums.feedback_count,
        "feedback_average": _average(sums),
    }


def _activities_next_year(user, year: int, keys: list) -> dict[Any, int]:
    return {
        row["areas__key"]: row["n"]
        for row in Activity.objects.visible_to(user)
        .filter(school_year=year + 1, areas__key__in=keys)
        .order_by()
        .values("areas__key")
        .annotate(n=Count("pk", distinct=True))
    }


# --- The whole snapshot -------------------------------------------------------------------


def build_snapshot(report, user, *, now=None) -> dict:
    """The report's data as JSON-able values (charts are added by ``reports.charts``)."""
    now = now or timezone.now()
    plan = report.quality_plan
    year = report.year
    municipality = report.municipality
    areas = list(
        DevelopmentArea.objects.filter(
            plan__in=QualityPlan.objects.visible_to(user).filter(pk=plan.pk)
        )
        .select_related("owner", "plan")
        .order_by("order", "pk")
    )
    keys = [area.key for area in areas]
    owners = _area_owners(areas, municipality)
    places = municipality_places(municipality)
    area_links = _area_links(user, municipality, areas)
    topics = law_topics_for(user=user, municipality=municipality)
    indicator_rows, entries, with_year_figure = _indicator_entries(
        user,
        municipality,
        {i for _area, i in area_links} | {i.pk for chosen in topics.values() for i in chosen},
        places,
        year,
    )
    indicators = _indicators_by_area(area_links, indicator_rows, entries)
    dashboard_rows = {
        row.area.pk: row
        for row in area_rows(user, municipality, plan, year, timezone.localdate(now))
    }
    goal_counts = _unit_goal_attainment(user, plan, year)
    next_units = _units_next_year(user, plan, year, keys)
    stories = _stories(user, plan, year, keys)
    journeys = _journeys(user, plan, year, keys)
    competence, competence_total = _competence(user, year, keys, now)
    next_activities = _activities_next_year(user, year, keys)
    # The trace page's tree, with the report's own publishing rules: consented input and
    # approved or evaluated plans only, whoever ordered the report.
    traces = area_traces(areas=areas, school_year=year, scope=scope_published(user))
    # The administration's text, read as it stands (drafts too: the draft is for reading
    # it through; publishing requires it final and unchanged since).
    assessment = assessment_snapshot(quality_plan=plan, year=year)

    area_items = []
    totals = {"met": 0, "not_met": 0, "unknown": 0, "measures": 0, "done": 0, "stories": 0}
    findings = {"positive": 0, "attention": 0}
    seen_indicators: set[int] = set()
    for number, area in enumerate(areas, start=1):
        row = dashboard_rows.get(area.pk)
        area_indicators = indicators.get(area.pk, [])
        met = sum(1 for i in area_indicators if i["attainment"]["status"] == "met")
        not_met = sum(1 for i in area_indicators if i["attainment"]["status"] == "not_met")
        unknown = sum(1 for i in area_indicators if i["attainment"]["status"] in UNKNOWN_ATTAINMENT)
        for item in area_indicators:
            if item["id"] in seen_indicators:
                continue
            seen_indicators.add(item["id"])
            findings["positive"] += bool(item["findings"]["positive"])
            findings["attention"] += bool(item["findings"]["attention"])
        totals["met"] += met
        totals["not_met"] += not_met
        totals["unknown"] += unknown
        measures: list[dict[str, Any]] = (
            [
                {"status": status, "label": str(label), "count": count}
                for status, label, count in row.status_counts
            ]
            if row
            else []
        )
        measures_total = row.total if row else 0
        done = next((m["count"] for m in measures if m["status"] == MeasureStatus.DONE), 0)
        totals["measures"] += measures_total
        totals["done"] += done
        open_measures = sum(m["count"] for m in measures if m["status"] in OPEN_MEASURE_STATES)
        goals = goal_counts.get(area.key, {})
        area_stories = stories.get(area.key, [])
        totals["stories"] += len(area_stories)
        area_items.append(
            {
                "number": number,
                "anchor": f"omrade-{number}",
                "name": area.name,
                "goal": area.goal,
                "description": area.description,
                # Who follows the area up (issue 20); None when the plan named nobody.
                "owner": owners.get(area.pk),
                "indicators": area_indicators,
                "attainment": {
                    "met": met,
                    "not_met": not_met,
                    "unknown": unknown,
                    "share": _percent(met, met + not_met),
                    "by_adoption": attainment_by_adoption(area_indicators),
                },
                "unit_plans": {
                    "units": row.units_working if row else 0,
                    "measures": measures,
                    "measures_total": measures_total,
                    "overdue": row.overdue if row else 0,
                    "goals": [
                        {"label": str(label), "count": goals.get(value, 0)}
                        for value, label in [*Attainment.choices, ("open", _("Ikke vurdert"))]
                    ],
                    "trend": [
                        {
                            "label": item.label,
                            "average": None if item.average is None else str(item.average),
                        }
                        for item in (row.trend_years if row else [])
                    ],
                    "trend_chart": None,
                },
                "assessment": assessment["areas"].get(area.pk),
                "stories": area_stories,
                "journeys": journeys.get(area.key, []),
                "competence": competence[area.key],
                "trace": dataclasses.asdict(traces[area.pk]),
                "next": {
                    "targets": [
                        {"indicator": item["name"], **target}
                        for item in area_indicators
                        for target in item["later_targets"]
                    ],
                    "open_measures": open_measures,
                    "units_next_year": next_units.get(area.key, 0),
                    "activities_next_year": next_activities.get(area.key, 0),
                },
            }
        )
    assessed = totals["met"] + totals["not_met"]
    return {
        # How today's templates read it: reports.schema.upgrade brings older ones here.
        "schema_version": SCHEMA_VERSION,
        "collected_at": now.isoformat(),
        "threshold": disclosure.threshold(),
        "suppression": disclosure.legend(),
        "municipality": {"name": municipality.name, "number": municipality.number},
        "plan": {
            "title": plan.title,
            "period": plan.period_label,
            "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
            "council_case": plan.council_case,
            "purpose": plan.purpose,
        },
        "year": year,
        "year_label": SchoolYear(year).label,
        "next_year_label": SchoolYear(year + 1).label,
        "version": report.version,
        "summary": {
            "areas": len(areas),
            "indicators": len(seen_indicators),
            "targets_met": totals["met"],
            "targets_not_met": totals["not_met"],
            "targets_unknown": totals["unknown"],
            "attainment_share": _percent(totals["met"], assessed),
            # Counted as the totals above (per area), so the two parts add up to them.
            "by_adoption": attainment_by_adoption(
                [item for area in area_items for item in area["indicators"]]
            ),
            "findings_positive": findings["positive"],
            "findings_attention": findings["attention"],
            "measures": totals["measures"],
            "measures_done": totals["done"],
            "stories": totals["stories"],
            "competence": {
                key: competence_total[key]
                for key in (
                    "activities",
                    "sessions_held",
                    "confirmed",
                    "attended",
                    "rate",
                    "feedback_average",
                )
            },
        },
        "law_topics": _law_topics(topics, entries, with_year_figure),
        "assessment": {
            "whole": assessment["whole"],
            "text_changed_at": assessment["text_changed_at"],
        },
        "areas": area_items,
        # The units' goals outside the shared areas, shown apart (issue 20).
        "own_goals": _own_goals(user, plan, year),
        "bti": bti_section(user, plan, year),
        # The council's treatment: this year's case number, and what became of last
        # year's follow-up items and questions (reports.selectors.council).
        **council_snapshot(report=report),
        "branding": report_branding_snapshot(municipality=municipality),
    }
