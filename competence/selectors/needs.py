"""Needs against activities: which surveyed needs a school year's activities cover.

A need (unit kind, theme, share) is covered by an activity of the school year that has the
theme and whose target group takes in the unit kind: the kind is among its target kinds,
one of its target units is of that kind, or it has no target at all (it is for everyone).
An activity meant only for roles (e.g. the unit leaders) covers no kind's need.

Four queries whatever the number of needs and activities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from competence.models import Activity, CompetenceNeed, NeedSurvey, Theme
from plans.models import Municipality, Unit, UnitKind

if TYPE_CHECKING:
    from competence.services.needs_import import NeedRow


@dataclass(frozen=True)
class NeedCoverage:
    need: CompetenceNeed
    activities: list[Activity]

    @property
    def covered(self) -> bool:
        return bool(self.activities)

    @property
    def theme(self) -> Theme:
        return self.need.theme

    @property
    def share(self) -> Decimal:
        return self.need.share


@dataclass(frozen=True)
class KindCoverage:
    unit_kind: str
    label: str
    needs: list[NeedCoverage]

    @property
    def covered_count(self) -> int:
        return sum(1 for row in self.needs if row.covered)


@dataclass(frozen=True)
class UnaskedTheme:
    """A theme the year's activities cover that no need in the survey asks for."""

    theme: Theme
    activities: list[Activity]


@dataclass(frozen=True)
class CoverageOverview:
    survey: NeedSurvey
    school_year: int
    needs: list[NeedCoverage]  # every need, highest share first
    kinds: list[KindCoverage] = field(default_factory=list)
    unasked: list[UnaskedTheme] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.needs)

    @property
    def covered_count(self) -> int:
        return sum(1 for row in self.needs if row.covered)

    @property
    def open_count(self) -> int:
        return self.total - self.covered_count


def _reached_kinds(activity: Activity) -> set[str] | None:
    """The unit kinds an activity's target group takes in, or None for everyone."""
    units = list(activity.target_units.all())
    if not (activity.target_kinds or activity.target_roles or units):
        return None
    return set(activity.target_kinds or []) | {unit.kind for unit in units}


def needs_coverage(user, survey: NeedSurvey, school_year: int) -> CoverageOverview:
    """The survey's needs, each with the activities of ``school_year`` that cover it, and
    the themes the activities cover beyond what the survey asks for. Only what ``user``
    may see is read, and only the survey's own municipality's activities."""
    needs = list(
        CompetenceNeed.objects.filter(
            survey__in=NeedSurvey.objects.visible_to(user).filter(pk=survey.pk)
        )
        .select_related("theme")
        .order_by("-share", "theme__name", "unit_kind")
    )
    activities = list(
        Activity.objects.visible_to(user)
        .filter(municipality_id=survey.municipality_id, school_year=school_year)
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("name")),
            Prefetch("target_units", queryset=Unit.objects.only("pk", "kind")),
        )
        .order_by("title", "pk")
    )
    by_theme: dict[int, list[tuple[Activity, set[str] | None]]] = defaultdict(list)
    themes: dict[int, Theme] = {}
    for activity in activities:
        reached = _reached_kinds(activity)
        for theme in activity.themes.all():
            by_theme[theme.pk].append((activity, reached))
            themes[theme.pk] = theme

    rows = [
        NeedCoverage(
            need=need,
            activities=[
                activity
                for activity, reached in by_theme.get(need.theme_id, [])
                if reached is None or need.unit_kind in reached
            ],
        )
        for need in needs
    ]

    labels = dict(UnitKind.choices)
    grouped: dict[str, list[NeedCoverage]] = defaultdict(list)
    for row in rows:
        grouped[row.need.unit_kind].append(row)
    kinds = [
        KindCoverage(unit_kind=kind, label=str(labels[kind]), needs=grouped[kind])
        for kind in UnitKind.values
        if kind in grouped
    ]

    asked = {need.theme_id for need in needs}
    unasked = [
        UnaskedTheme(theme=themes[pk], activities=[activity for activity, _ in by_theme[pk]])
        for pk in sorted(set(themes) - asked, key=lambda pk: themes[pk].name.casefold())
    ]
    return CoverageOverview(
        survey=survey, school_year=school_year, needs=rows, kinds=kinds, unasked=unasked
    )


def new_themes(*, municipality: Municipality, rows: Iterable[NeedRow]) -> set[str]:
    """The (casefolded) theme names in ``rows`` that the municipality does not have yet."""
    existing = {
        name.casefold()
        for name in Theme.objects.filter(municipality=municipality).values_list("name", flat=True)
    }
    return {row.theme.casefold() for row in rows} - existing
