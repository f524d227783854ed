"""Reads of the quality plan: the plan a user sees as "in force", the plan as a document,
and what changed between two revisions. Everything starts from ``visible_to``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans.access import access_for
from plans.models import (
    Anchoring,
    AnchoringKind,
    CoreComponent,
    DevelopmentArea,
    Measure,
    ParticipationInput,
    PlanValue,
    QualityDescription,
    QualityPlan,
    Role,
    ServiceField,
    UnitPlan,
)
from plans.schoolyear import SchoolYear
from plans.selectors.owners import missing_owners


def split_lines(text: str) -> list[str]:
    """ "Ett punkt per linje": the non-empty lines of a text field, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass(frozen=True)
class PlanInForce:
    plan: QualityPlan | None
    is_draft: bool = False


def plan_in_force(user) -> PlanInForce:
    """The adopted plan in force for the user's municipality. A sector leader whose
    municipality has adopted nothing yet sees the latest draft instead, marked as such."""
    visible = QualityPlan.objects.visible_to(user)
    plan = visible.in_force()
    if plan is not None:
        return PlanInForce(plan)
    access = access_for(user)
    if access.is_superuser or access.has_role(Role.SECTOR_LEADER):
        draft = visible.filter(adopted_on__isnull=True).order_by("-created_at", "-pk").first()
        if draft is not None:
            return PlanInForce(draft, is_draft=True)
    return PlanInForce(None)


def areas_with_components(plan: QualityPlan) -> list[DevelopmentArea]:
    return list(
        plan.areas.prefetch_related(
            Prefetch("components", queryset=CoreComponent.objects.order_by("order", "pk"))
        )
    )


@dataclass
class PlanDocument:
    """The plan's parts as the detail page reads them, in one bounded set of queries."""

    plan: QualityPlan
    # Rows carry their "one point per line" texts split: ``lines`` / ``meaning_lines``.
    values: list[Any]
    anchorings: list[tuple[Any, list]]  # (kind label, anchorings)
    areas: list[Any]
    descriptions: list[tuple[Any, list]]  # (service field label, descriptions)


def plan_document(plan: QualityPlan) -> PlanDocument:
    values: list[Any] = list(plan.values.all())
    for value in values:
        value.lines = split_lines(value.meaning)
    anchorings = list(plan.anchorings.all())
    areas: list[Any] = list(
        plan.areas.select_related("owner").prefetch_related(
            Prefetch("components", queryset=CoreComponent.objects.order_by("order", "pk")),
            "characteristics",
        )
    )
    for area in areas:
        area.meaning_lines = split_lines(area.meaning_for_individual)
    descriptions: list[Any] = list(plan.quality_descriptions.all())
    for description in descriptions:
        description.lines = split_lines(description.content)
    return PlanDocument(
        plan=plan,
        values=values,
        anchorings=[
            (label, [a for a in anchorings if a.kind == kind])
            for kind, label in AnchoringKind.choices
            if any(a.kind == kind for a in anchorings)
        ],
        areas=areas,
        descriptions=[
            (label, [d for d in descriptions if d.service_field == service_field])
            for service_field, label in ServiceField.choices
            if any(d.service_field == service_field for d in descriptions)
        ],
    )


# --- Comparing two revisions ------------------------------------------------------------

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
STATE_LABELS = {
    ADDED: _("Lagt til"),
    REMOVED: _("Fjernet"),
    CHANGED: _("Endret"),
    UNCHANGED: _("Uendret"),
}


@dataclass
class FieldDiff:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class ItemDiff:
    """One value, anchoring, area or component in revision a, b or both."""

    name: str
    state: str
    fields: list[FieldDiff]
    children: list[ItemDiff] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def changed_fields(self) -> list[FieldDiff]:
        return [f for f in self.fields if f.changed]


@dataclass
class PlanComparison:
    a: QualityPlan
    b: QualityPlan
    header: list[FieldDiff]
    values: list[ItemDiff]
    anchorings: list[ItemDiff]
    areas: list[ItemDiff]
    descriptions: list[ItemDiff]

    @property
    def sections(self) -> list[dict]:
        """The parts of the plan in page order: what changed, and the names of what
        stayed the same."""
        return [
            {
                "id": section_id,
                "title": title,
                "items": [item for item in items if item.state != UNCHANGED],
                "unchanged": [item.name for item in items if item.state == UNCHANGED],
            }
            for section_id, title, items in (
                ("values", _("Verdigrunnlag"), self.values),
                ("anchoring", _("Forankring"), self.anchorings),
                ("areas", _("Utviklingsområder"), self.areas),
                ("quality", _("Kvalitet i tjenestene"), self.descriptions),
            )
        ]

    @property
    def header_changes(self) -> list[FieldDiff]:
        return [f for f in self.header if f.changed]

    @property
    def has_changes(self) -> bool:
        return any(f.changed for f in self.header) or any(
            item.state != UNCHANGED
            for item in (*self.values, *self.anchorings, *self.areas, *self.descriptions)
        )


def _label(model, name: str) -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


def _text(obj, name: str) -> str:
    if obj is None:
        return ""
    display = getattr(obj, f"get_{name}_display", None)
    return str(display() if display else getattr(obj, name) or "")


def _diff_item(model, name: str, old, new, fields: Iterable[str], children=()) -> ItemDiff:
    diffs = [FieldDiff(_label(model, f), _text(old, f), _text(new, f)) for f in fields]
    children = list(children)
    if old is None:
        state = ADDED
    elif new is None:
        state = REMOVED
    elif any(d.changed for d in diffs) or any(c.state != UNCHANGED for c in children):
        state = CHANGED
    else:
        state = UNCHANGED
    return ItemDiff(name=name, state=state, fields=diffs, children=children)


def _match(
    old: list, new: list, key: Callable, make: Callable[[Any, Any], ItemDiff]
) -> list[ItemDiff]:
    """Pair the rows of two revisions by ``key``: b's order first, then what a had and b
    dropped."""
    old_by_key = {key(item): item for item in old}
    new_keys = {key(item) for item in new}
    result = [make(old_by_key.get(key(item)), item) for item in new]
    result += [make(item, None) for item in old if key(item) not in new_keys]
    return result


AREA_COMPARED = ("name", "description", "goal", "meaning_for_individual")
COMPONENT_COMPARED = ("name", "description")


def _characteristics_text(area) -> str:
    if area is None:
        return ""
    return "\n".join(c.text for c in area.characteristics.all())


def _diff_area(old, new) -> ItemDiff:
    components = _match(
        list(old.components.all()) if old else [],
        list(new.components.all()) if new else [],
        key=lambda c: c.key,
        make=lambda a, b: _diff_item(CoreComponent, (b or a).name, a, b, COMPONENT_COMPARED),
    )
    item = _diff_item(DevelopmentArea, (new or old).name, old, new, AREA_COMPARED, components)
    characteristics = FieldDiff(
        str(_("Kjennetegn på god praksis")), _characteristics_text(old), _characteristics_text(new)
    )
    item.fields.append(characteristics)
    if item.state == UNCHANGED and characteristics.changed:
        item.state = CHANGED
    return item


def _plan_parts(plan: QualityPlan) -> dict:
    return {
        "values": list(plan.values.all()),
        "anchorings": list(plan.anchorings.all()),
        "areas": list(
            plan.areas.prefetch_related(
                Prefetch("components", queryset=CoreComponent.objects.order_by("order", "pk")),
                "characteristics",
            )
        ),
        "descriptions": list(plan.quality_descriptions.all()),
    }


def compare_plans(a: QualityPlan, b: QualityPlan) -> PlanComparison:
    """What changed from revision ``a`` to revision ``b``: areas and components matched
    by their stable key, values by name, anchoring by title, quality descriptions by
    service field and title."""
    old, new = _plan_parts(a), _plan_parts(b)
    header = [
        FieldDiff(_label(QualityPlan, name), _text(a, name), _text(b, name))
        for name in ("title", "period_start", "period_end", "purpose", "introduction")
    ]
    return PlanComparison(
        a=a,
        b=b,
        header=header,
        values=_match(
            old["values"],
            new["values"],
            key=lambda v: v.name.strip().casefold(),
            make=lambda x, y: _diff_item(PlanValue, (y or x).name, x, y, ("name", "meaning")),
        ),
        anchorings=_match(
            old["anchorings"],
            new["anchorings"],
            key=lambda v: v.title.strip().casefold(),
            make=lambda x, y: _diff_item(
                Anchoring, (y or x).title, x, y, ("title", "kind", "url", "note")
            ),
        ),
        areas=_match(old["areas"], new["areas"], key=lambda v: v.key, make=_diff_area),
        descriptions=_match(
            old["descriptions"],
            new["descriptions"],
            key=lambda v: (v.service_field, v.title.strip().casefold()),
            make=lambda x, y: _diff_item(
                QualityDescription,
                f"{(y or x).get_service_field_display()}: {(y or x).title}",
                x,
                y,
                ("title", "content", "source"),
            ),
        ),
    )


# --- The framework: who works on an area or a core component ----------------------------


@dataclass
class UnitWork:
    """One unit plan that works on an area or a component, with its measures on it."""

    plan: UnitPlan
    measures: list
    # Elected officials read published summaries: no names of responsible persons.
    show_names: bool


def _unit_work(user, plans_filter: dict, measures_filter: dict, municipality_id) -> list[UnitWork]:
    plans = (
        UnitPlan.objects.visible_to(user)
        .filter(
            school_year=SchoolYear.current().start_year,
            quality_plan__municipality_id=municipality_id,
            **plans_filter,
        )
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.filter(**measures_filter)
                .select_related("component", "responsible")
                .order_by("start", "pk"),
                to_attr="topic_measures",
            )
        )
        .order_by("unit__name")
    )
    return [
        UnitWork(
            plan=plan,
            measures=plan.topic_measures,
            show_names=user.has_perm("plans.view_unitplan_detail", plan),
        )
        for plan in plans
    ]


def visible_areas(user):
    return DevelopmentArea.objects.filter(
        plan__in=QualityPlan.objects.visible_to(user).values("pk")
    )


def visible_components(user):
    return CoreComponent.objects.filter(
        area__plan__in=QualityPlan.objects.visible_to(user).values("pk")
    )


# Areas and components are matched by their key, so the work and input registered under
# an earlier revision of the plan still shows on the revision in force.
def unit_work_on_area(user, area: DevelopmentArea) -> list[UnitWork]:
    return _unit_work(
        user,
        {"areas__key": area.key},
        {"component__area__key": area.key},
        area.plan.municipality_id,
    )


def unit_work_on_component(user, component: CoreComponent) -> list[UnitWork]:
    return _unit_work(
        user,
        {"components__key": component.key},
        {"component__key": component.key},
        component.area.plan.municipality_id,
    )


LATEST_INPUTS = 10


def inputs_on_area(user, area: DevelopmentArea) -> list[ParticipationInput]:
    return list(
        ParticipationInput.objects.visible_to(user)
        .filter(municipality_id=area.plan.municipality_id, areas__key=area.key)
        .select_related("unit")
        .distinct()
        .order_by("-given_on", "-pk")[:LATEST_INPUTS]
    )


def inputs_on_component(user, component: CoreComponent) -> list[ParticipationInput]:
    return list(
        ParticipationInput.objects.visible_to(user)
        .filter(
            municipality_id=component.area.plan.municipality_id,
            components__key=component.key,
        )
        .select_related("unit")
        .distinct()
        .order_by("-given_on", "-pk")[:LATEST_INPUTS]
    )


def quality_plan_adoption_problems(*, plan: QualityPlan) -> list[str]:
    """What keeps the plan from being adopted, in the sector leader's words."""
    problems = []
    if not any(goal.strip() for goal in plan.areas.values_list("goal", flat=True)):
        problems.append(gettext("Planen må ha minst ett utviklingsområde med et mål."))
    # «Alle planer må ha en dedikert person til å følge opp planen»: the plan and every
    # area have an owner before the council's decision is recorded.
    problems += missing_owners(plan=plan)
    return problems
