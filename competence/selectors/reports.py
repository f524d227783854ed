"""Reads behind the competence plan's reports: the activity table (page, CSV, XLSX and PDF
alike), the budget per funding scheme and the yearly evaluation.

Each starts from ``visible_to(user)``, so a page and its exports cannot disagree about
which municipality's rows they show. Figures are aggregated in the database; the
evaluation holds counts and averages only, never who took part."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.models import Activity, FundingGrant, FundingScheme, RegistrationStatus, Session
from plans import disclosure
from plans.models import DevelopmentArea, Role, UnitKind

PERCENT = Decimal("0.1")
SCORE = Decimal("0.01")


# --- The activity table -------------------------------------------------------------------


def activity_table(
    user, school_year: int | None, filters: Mapping[str, Any] | None = None
) -> QuerySet[Activity]:
    """The activities of a school year as the plan's table lists them, in order of their
    first session, with everything a row shows prefetched (a fixed number of queries).

    ``filters`` may hold ``target_kind`` (a unit kind: activities aimed at that kind, at a
    unit of that kind, or at everyone), ``area`` (a development area, matched by its key
    so revisions of the plan agree), ``scheme`` (a funding scheme) and ``form``."""
    filters = filters or {}
    activities = Activity.objects.visible_to(user)
    if school_year is not None:
        activities = activities.for_year(school_year)
    if filters.get("form"):
        activities = activities.filter(form=filters["form"])
    if filters.get("scheme"):
        activities = activities.filter(funding_scheme=filters["scheme"])
    if filters.get("area"):
        linked = Activity.areas.through.objects.filter(developmentarea__key=filters["area"].key)
        activities = activities.filter(pk__in=linked.values("activity_id"))
    if filters.get("target_kind"):
        activities = activities.filter(pk__in=_aimed_at_kind(activities, filters["target_kind"]))
    user_model = get_user_model()
    return (
        activities.select_related("funding_scheme")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")),
            "themes",
            Prefetch("areas", queryset=DevelopmentArea.objects.order_by("order", "pk")),
            "target_units",
            "organiser_units",
            Prefetch(
                "organisers",
                queryset=user_model.objects.order_by("first_name", "last_name", "pk"),
            ),
        )
        .annotate(first_start=Min("sessions__starts_at"))
        .order_by(F("first_start").asc(nulls_last=True), "title", "pk")
    )


def _aimed_at_kind(activities: QuerySet[Activity], kind: str) -> list[int]:
    """Ids of the activities whose target group covers a unit kind.

    Read in Python, like ``ActivityQuerySet.meant_for``: SQLite cannot look inside JSON
    lists, and a year's plan holds tens of activities."""
    through = Activity.target_units.through
    units = through.objects.filter(activity__in=activities.values("pk"))
    with_units = set(units.values_list("activity_id", flat=True))
    with_kind = set(units.filter(unit__kind=kind).values_list("activity_id", flat=True))
    matching = []
    for pk, kinds, roles in activities.values_list("pk", "target_kinds", "target_roles"):
        for_everyone = not (kinds or roles or pk in with_units)
        if for_everyone or kind in (kinds or []) or pk in with_kind:
            matching.append(pk)
    return matching


@dataclass
class TableRow:
    """One activity as the columns of the Ås plan's table read it."""

    activity: Activity
    form: str
    title: str
    target: str
    organiser: str
    themes: list[str]
    content: str
    dates: list[str]
    place: str
    funding: str

    @property
    def school_year(self) -> str:
        return self.activity.school_year_label


def table_rows(activities) -> list[TableRow]:
    """The table's text per activity; needs the prefetches of :func:`activity_table`."""
    return [table_row(activity) for activity in activities]


def table_row(activity: Activity) -> TableRow:
    return TableRow(
        activity=activity,
        form=activity.get_form_display(),
        title=activity.title,
        target=target_text(activity),
        organiser=organiser_text(activity),
        themes=[theme.name for theme in activity.themes.all()],
        content=activity.content,
        dates=[session_text(session) for session in activity.sessions.all()],
        place=place_text(activity),
        funding=activity.funding_scheme.name if activity.funding_scheme else "",
    )


def target_text(activity: Activity) -> str:
    if activity.target_description:
        return activity.target_description
    kinds = dict(UnitKind.choices)
    roles = dict(Role.choices)
    parts = [str(kinds.get(kind, kind)) for kind in activity.target_kinds or []]
    parts += [unit.name for unit in activity.target_units.all()]
    parts += [str(roles.get(role, role)) for role in activity.target_roles or []]
    return ", ".join(parts) or _("Alle")


def organiser_text(activity: Activity) -> str:
    parts = [unit.name for unit in activity.organiser_units.all()]
    parts += [person.get_full_name() or person.username for person in activity.organisers.all()]
    if activity.partners:
        parts.append(activity.partners)
    return ", ".join(parts)


def session_text(session: Session) -> str:
    """«12.08.2026 kl. 09.00–15.00», or both dates when a session spans days."""
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    if start.date() == end.date():
        return _("%(date)s kl. %(start)s–%(end)s") % {
            "date": start.strftime("%d.%m.%Y"),
            "start": start.strftime("%H.%M"),
            "end": end.strftime("%H.%M"),
        }
    return f"{start:%d.%m.%Y %H.%M} – {end:%d.%m.%Y %H.%M}"


def place_text(activity: Activity) -> str:
    places = [activity.place] if activity.place else []
    for session in activity.sessions.all():
        if session.place and session.place not in places:
            places.append(session.place)
    return ", ".join(places)


def school_years_with_activities(user) -> list[int]:
    """The school years the user's municipality has activities in, newest first."""
    return list(
        Activity.objects.visible_to(user)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .distinct()
    )


# --- Budget ---------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    """Money for one funding scheme in one school year. ``scheme`` None is the row of the
    activities without a scheme; ``grant`` None means no grant is registered."""

    scheme: FundingScheme | None
    grant: Decimal | None
    planned: Decimal
    used: Decimal
    activities: int

    @property
    def label(self) -> str:
        return self.scheme.name if self.scheme else _("Uten tilskuddsordning")

    @property
    def remaining(self) -> Decimal | None:
        return None if self.grant is None else self.grant - self.used

    @property
    def overspent(self) -> bool:
        return self.grant is not None and self.used > self.grant

    @property
    def overplanned(self) -> bool:
        return self.grant is not None and self.planned > self.grant

    @property
    def missing_grant(self) -> bool:
        return self.scheme is not None and self.grant is None and bool(self.planned or self.used)


@dataclass
class BudgetOverview:
    school_year: int
    rows: list[BudgetRow]
    total: BudgetRow

    @property
    def overspent(self) -> list[BudgetRow]:
        return [row for row in self.rows if row.overspent]

    @property
    def overplanned(self) -> list[BudgetRow]:
        return [row for row in self.rows if row.overplanned and not row.overspent]


def budget_overview(user, school_year: int) -> BudgetOverview:
    """Grant, planned (the activities' budgets) and used (what they spent) per funding
    scheme for one school year, plus a row for activities without a scheme.

    Schemes appear when they are active or have a grant or activities that year. Three
    queries, whatever the number of schemes and activities."""
    schemes = FundingScheme.objects.visible_to(user)
    sums = {
        row["funding_scheme_id"]: row
        for row in Activity.objects.visible_to(user)
        .for_year(school_year)
        .order_by()
        .values("funding_scheme_id")
        .annotate(planned=Sum("budget"), used=Sum("spent"), count=Count("pk"))
    }
    grants = dict(
        FundingGrant.objects.filter(scheme__in=schemes, school_year=school_year).values_list(
            "scheme_id", "amount"
        )
    )
    rows = []
    for scheme in schemes.order_by("name", "pk"):
        figures = sums.get(scheme.pk)
        if not (scheme.active or figures or scheme.pk in grants):
            continue
        rows.append(_budget_row(scheme, grants.get(scheme.pk), figures))
    if None in sums:
        rows.append(_budget_row(None, None, sums[None]))
    total = BudgetRow(
        scheme=None,
        grant=sum((row.grant for row in rows if row.grant is not None), Decimal(0)),
        planned=sum((row.planned for row in rows), Decimal(0)),
        used=sum((row.used for row in rows), Decimal(0)),
        activities=sum(row.activities for row in rows),
    )
    return BudgetOverview(school_year=school_year, rows=rows, total=total)


def _budget_row(scheme, grant, figures) -> BudgetRow:
    figures = figures or {}
    return BudgetRow(
        scheme=scheme,
        grant=grant,
        planned=figures.get("planned") or Decimal(0),
        used=figures.get("used") or Decimal(0),
        activities=figures.get("count") or 0,
    )


# --- Yearly evaluation -----------------------------------------------------------------------


@dataclass
class Figures:
    """Counts behind an attendance rate and an average score."""

    sessions_held: int = 0
    confirmed: int = 0
    attended: int = 0
    feedback_count: int = 0
    feedback_sum: int = 0

    def add(self, other: Figures) -> None:
        self.sessions_held += other.sessions_held
        self.confirmed += other.confirmed
        self.attended += other.attended
        self.feedback_count += other.feedback_count
        self.feedback_sum += other.feedback_sum

    @property
    def attendance_rate(self) -> Decimal | None:
        """Attended as a percentage of confirmed sign-ups to sessions held; None if none."""
        if not self.confirmed:
            return None
        rate = Decimal(self.attended * 100) / Decimal(self.confirmed)
        return rate.quantize(PERCENT, rounding=ROUND_HALF_UP)

    @property
    def feedback_average(self) -> Decimal | None:
        if not self.feedback_count:
            return None
        average = Decimal(self.feedback_sum) / Decimal(self.feedback_count)
        return average.quantize(SCORE, rounding=ROUND_HALF_UP)


@dataclass(kw_only=True)
class EvaluationRow(Figures):
    activity: Activity
    sessions_total: int = 0
    areas: list[DevelopmentArea] = field(default_factory=list)


@dataclass
class AreaSummary(Figures):
    name: str = ""
    activities: int = 0


@dataclass
class Evaluation:
    school_year: int
    rows: list[EvaluationRow]
    total: Figures
    areas: list[AreaSummary]
    without_area: AreaSummary

    @property
    def activity_count(self) -> int:
        return len(self.rows)

    @property
    def sessions_total(self) -> int:
        return sum(row.sessions_total for row in self.rows)


def evaluation(user, school_year: int, now=None) -> Evaluation:
    """Per activity of the year: sessions held (started by ``now``), confirmed sign-ups
    to them, how many attended, the attendance rate, the average feedback score and how
    many gave one, and the linked development areas; then totals and one summary per
    area (areas of different plan revisions with the same key count as one).

    The counts come from one aggregate query over the activities; nobody's name is read."""
    now = now or timezone.now()
    held = Q(sessions__starts_at__lte=now)
    confirmed = held & Q(sessions__registrations__status=RegistrationStatus.CONFIRMED)
    activities = (
        Activity.objects.visible_to(user)
        .for_year(school_year)
        .annotate(
            n_sessions=Count("sessions", distinct=True),
            n_held=Count("sessions", filter=held, distinct=True),
            n_confirmed=Count("sessions__registrations", filter=confirmed, distinct=True),
            n_attended=Count(
                "sessions__registrations",
                filter=confirmed & Q(sessions__registrations__attended=True),
                distinct=True,
            ),
            # A registration has at most one feedback, so the joined rows count each once.
            n_feedback=Count("sessions__registrations__feedback"),
            feedback_total=Sum("sessions__registrations__feedback__score"),
        )
        .prefetch_related(
            Prefetch("areas", queryset=DevelopmentArea.objects.order_by("order", "pk"))
        )
        .order_by("form", "title", "pk")
    )
    rows = []
    total = Figures()
    by_key: dict[Any, AreaSummary] = {}
    order: dict[Any, tuple] = {}
    without_area = AreaSummary(name=_("Uten utviklingsområde"))
    for activity in activities:
        row = EvaluationRow(
            activity=activity,
            sessions_total=activity.n_sessions,
            sessions_held=activity.n_held,
            confirmed=activity.n_confirmed,
            attended=activity.n_attended,
            feedback_count=activity.n_feedback,
            feedback_sum=activity.feedback_total or 0,
            areas=list(activity.areas.all()),
        )
        rows.append(row)
        total.add(row)
        keys = {area.key: area for area in row.areas}
        if not keys:
            without_area.add(row)
            without_area.activities += 1
        for key, area in keys.items():
            summary = by_key.setdefault(key, AreaSummary(name=area.name))
            order.setdefault(key, (area.order, area.name))
            summary.add(row)
            summary.activities += 1
    areas = [by_key[key] for key in sorted(by_key, key=lambda key: order[key])]
    return Evaluation(
        school_year=school_year,
        rows=rows,
        total=total,
        areas=areas,
        without_area=without_area,
    )


# --- What is published of the evaluation -------------------------------------------------

MEASURES = ("confirmed", "attended", "feedback_count")


@dataclass
class PublishedFigures:
    """Counts of people as they may be published (``plans.disclosure`` cells) and the
    rate and average worked out from shown counts only."""

    sessions_held: int
    confirmed: disclosure.Cell
    attended: disclosure.Cell
    feedback_count: disclosure.Cell
    attendance_rate: Decimal | None
    feedback_average: Decimal | None

    @property
    def rate_mark(self) -> str:
        """What stands in place of a rate that is not shown: the mark of the hidden count."""
        for cell in (self.confirmed, self.attended):
            if cell["suppressed"]:
                return cell["text"]
        return "–"

    @property
    def average_mark(self) -> str:
        return self.feedback_count["text"] if self.feedback_count["suppressed"] else "–"


@dataclass(kw_only=True)
class PublishedRow(PublishedFigures):
    activity: Activity
    sessions_total: int
    areas: list[DevelopmentArea]


@dataclass(kw_only=True)
class PublishedArea(PublishedFigures):
    name: str
    activities: int
    key: Any = None


@dataclass
class PublishedEvaluation:
    """The evaluation every page, export and the status report publish: the activities
    are the grid (a count per activity, its total per figure), suppressed once here; an
    area's figures are sums over its activities, shown only when all of them are."""

    school_year: int
    rows: list[PublishedRow]
    total: PublishedFigures
    areas: list[PublishedArea]
    without_area: PublishedArea
    sessions_total: int

    @property
    def activity_count(self) -> int:
        return len(self.rows)

    @property
    def any_suppressed(self) -> bool:
        figures = [self.total, *self.rows, *self.areas, self.without_area]
        return any(getattr(item, m)["suppressed"] for item in figures for m in MEASURES)

    def area_table(self, key) -> tuple[list[PublishedRow], PublishedArea]:
        """An area's activities and its sums (the status report's table per area)."""
        rows = [row for row in self.rows if key in {area.key for area in row.areas}]
        area = next((a for a in self.areas if a.key == key), None)
        if area is None:
            # An area without activities this year: nothing to sum, nobody counted.
            area = PublishedArea(
                name=str(_("Sum")),
                key=key,
                activities=0,
                **_figures(0, dict.fromkeys(MEASURES, disclosure.small()), 0),
            )
        return rows, area


def _figures(sessions_held, cells: dict[str, disclosure.Cell], feedback_sum: int) -> dict:
    return {
        "sessions_held": sessions_held,
        **cells,
        "attendance_rate": disclosure.share(cells["attended"], cells["confirmed"]),
        "feedback_average": disclosure.average(feedback_sum, cells["feedback_count"]),
    }


def _published_area(name, indices: list[int], raw: list[EvaluationRow], groups, *, key=None):
    """An area's sums over its activities (``indices`` into the year's rows)."""
    cells = {
        measure: disclosure.aggregate(
            groups[measure], "activity", indices, sum(getattr(raw[i], measure) for i in indices)
        )
        for measure in MEASURES
    }
    return PublishedArea(
        name=name,
        key=key,
        activities=len(indices),
        **_figures(
            sum(raw[i].sessions_held for i in indices),
            cells,
            sum(raw[i].feedback_sum for i in indices),
        ),
    )


def _attended_total_safe(rows: list[EvaluationRow], confirmed: disclosure.GroupCells) -> bool:
    """Whether the attended total may be shown beside the confirmed figures. Nobody
    attends without a confirmed sign-up, so the small confirmed counts (known together
    from their total) cap the attended counts of the same activities: every hidden
    attended count must still be able to be 0 and ``threshold - 1``."""
    if confirmed.total["suppressed"]:
        return False
    limit = disclosure.threshold()
    cells = confirmed.breakdowns["activity"]
    coupled = {index for index, cell in enumerate(cells) if cell["suppressed"]}
    hidden = [index for index, row in enumerate(rows) if disclosure.is_small(row.attended)]
    budget = sum(rows[index].confirmed for index in coupled)
    remainder = sum(rows[index].attended for index in hidden)
    for index in hidden:
        others = [other for other in hidden if other != index]
        for value in (0, limit - 1):
            left = budget - (value if index in coupled else 0)
            capacity = (limit - 1) * sum(other not in coupled for other in others) + min(
                left, (limit - 1) * sum(other in coupled for other in others)
            )
            if left < 0 or not 0 <= remainder - value <= capacity:
                return False
    return True


def published_evaluation(result: Evaluation) -> PublishedEvaluation:
    """Suppress the evaluation: per figure (confirmed, attended, feedback) the counts per
    activity with the year's total as one breakdown; a small count is «<5» and, rather
    than hide other activities' counts, a total that would give a small one away is
    hidden. Attended is at most confirmed, so a hidden confirmed total hides the attended
    total too (it would put a floor under the hidden confirmed counts)."""
    groups: dict[str, disclosure.GroupCells] = {}
    for measure in MEASURES:
        groups[measure] = disclosure.protect_group(
            measure,
            getattr(result.total, measure),
            {"activity": [getattr(row, measure) for row in result.rows]},
            secondary=False,
            hide_total=measure == "attended"
            and not _attended_total_safe(result.rows, groups["confirmed"]),
        )
    rows = []
    for index, row in enumerate(result.rows):
        cells = {m: groups[m].breakdowns["activity"][index] for m in MEASURES}
        rows.append(
            PublishedRow(
                activity=row.activity,
                sessions_total=row.sessions_total,
                areas=row.areas,
                **_figures(row.sessions_held, cells, row.feedback_sum),
            )
        )
    totals = {m: groups[m].total for m in MEASURES}
    by_key: dict[Any, tuple[str, list[int]]] = {}
    for index, row in enumerate(result.rows):
        for area in {area.key: area for area in row.areas}.values():
            by_key.setdefault(area.key, (area.name, []))[1].append(index)
    areas = [
        _published_area(name, members, result.rows, groups, key=key)
        for key, (name, members) in by_key.items()
    ]
    order = {summary.name: position for position, summary in enumerate(result.areas)}
    areas.sort(key=lambda summary: order.get(summary.name, len(order)))
    loose = [i for i, row in enumerate(result.rows) if not row.areas]
    return PublishedEvaluation(
        school_year=result.school_year,
        rows=rows,
        total=PublishedFigures(
            **_figures(
                result.total.sessions_held,
                totals,
                result.total.feedback_sum,
            )
        ),
        areas=areas,
        without_area=_published_area(result.without_area.name, loose, result.rows, groups),
        sessions_total=result.sessions_total,
    )
