"""Who may own — follow up — the quality plan, a development area or a unit plan, and what
each owner follows up (issue 20: «Alle planer må ha en dedikert person til å følge opp
planen»).

The rule is written once here. The forms offer ``owner_candidates`` as their choices, the
services refuse anyone else with ``owner_check`` (so a forged POST, an admin action or an
import meets the same rule), and the adoption and approval gates ask ``missing_owners``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.models import (
    OPEN_MEASURE_STATES,
    DevelopmentArea,
    Measure,
    Membership,
    QualityPlan,
    Role,
    UnitPlan,
    overdue_measure_q,
)
from plans.schoolyear import SchoolYear

# A quality plan and its areas are the sector's: a sector leader or a unit leader of the
# municipality follows them up. A unit plan is the unit's: its leader or a staff member,
# or a sector leader.
SECTOR_OWNER_ROLES = (Role.SECTOR_LEADER, Role.UNIT_LEADER)
UNIT_OWNER_ROLES = (Role.UNIT_LEADER, Role.STAFF)


def _owner_memberships(*, municipality_id: int, unit_id: int | None) -> models.QuerySet:
    """The memberships in force (confirmed) that make a user eligible: for a unit plan
    (``unit_id``) the unit's leaders and staff and the sector leaders; for the quality
    plan and its areas the sector and unit leaders of the municipality."""
    memberships = Membership.objects.in_force().filter(municipality_id=municipality_id)
    if unit_id is None:
        return memberships.filter(role__in=SECTOR_OWNER_ROLES)
    return memberships.filter(
        Q(unit_id=unit_id, role__in=UNIT_OWNER_ROLES) | Q(role=Role.SECTOR_LEADER)
    )


def owner_candidates(*, municipality_id: int, unit_id: int | None = None) -> models.QuerySet:
    """Active users who may own the quality plan or an area (no ``unit_id``) or the
    unit's plan, by name."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=_owner_memberships(municipality_id=municipality_id, unit_id=unit_id).values(
                "user_id"
            ),
        )
        .order_by("first_name", "last_name", "username")
    )


def owner_rule_text(*, unit_id: int | None) -> str:
    """The rule in the user's words: the forms' help and the refusal."""
    if unit_id is None:
        return _("Eieren må være sektorleder eller virksomhetsleder i kommunen.")
    return _("Eieren må være leder eller ansatt ved enheten, eller sektorleder i kommunen.")


def owner_check(*, owner: Any, municipality_id: int, unit_id: int | None = None) -> None:
    """Refuse an owner outside ``owner_candidates`` (another municipality's user, an
    inactive account, a pending role, a staff member of another unit). None passes: an
    owner may be missing until adoption or approval."""
    if owner is None:
        return
    if (
        not owner_candidates(municipality_id=municipality_id, unit_id=unit_id)
        .filter(pk=owner.pk)
        .exists()
    ):
        raise ValidationError({"owner": owner_rule_text(unit_id=unit_id)})


def owner_label(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def missing_owners(*, plan: QualityPlan) -> list[str]:
    """What keeps the quality plan from adoption for want of owners, in the sector
    leader's words: the plan's own owner, and the areas without one (named)."""
    # An owner who has since lost the role (or the account was deactivated) counts as
    # missing: the plan would be adopted with nobody to follow it up.
    eligible = set(
        owner_candidates(municipality_id=plan.municipality_id).values_list("pk", flat=True)
    )
    problems = []
    if plan.owner_id not in eligible:
        problems.append(_("Planen mangler en ansvarlig for oppfølging."))
    areas = [
        name
        for name, owner_id in DevelopmentArea.objects.filter(plan=plan).values_list(
            "name", "owner_id"
        )
        if owner_id not in eligible
    ]
    if areas:
        problems.append(
            _("Disse utviklingsområdene mangler en ansvarlig for oppfølging: %(areas)s.")
            % {"areas": ", ".join(f"«{name}»" for name in areas)}
        )
    return problems


def unit_plan_missing_owner(*, plan: UnitPlan) -> list[str]:
    """The unit plan's owner is missing, or no longer one who may own it."""
    unit = plan.unit
    if (
        plan.owner_id is None
        or not owner_candidates(municipality_id=unit.municipality_id, unit_id=unit.pk)
        .filter(pk=plan.owner_id)
        .exists()
    ):
        return [_("Velg hvem som er ansvarlig for oppfølging av planen.")]
    return []


# --- «Dette følger du opp»: the owner's home panel --------------------------------------

ENDING_SOON_DAYS = 30


@dataclass(frozen=True)
class FollowedUp:
    kind: str  # "quality_plan", "area" or "unit_plan"
    label: str
    status: str
    # The next thing due, in words: the plan period, or the open measures' dates.
    deadline: str
    url_name: str
    url_args: tuple
    overdue: int = 0


def followed_up_by(user, *, today: datetime.date | None = None) -> list[FollowedUp]:
    """What ``user`` owns and still follows up: the quality plans (draft or in force)
    and their areas, and the unit plans of the current and last school year that are not
    evaluated, each with its status and next deadline. Scoped by ``visible_to`` and read
    in three queries, however much the user owns."""
    today = today or timezone.localdate()
    items: list[FollowedUp] = []
    plans = QualityPlan.objects.visible_to(user)
    for plan in plans.filter(owner=user, period_end__gte=today.year).order_by("-period_start"):
        items.append(
            FollowedUp(
                kind="quality_plan",
                label=str(plan),
                status=_("Vedtatt") if plan.is_adopted else _("Utkast"),
                deadline=_("Planperiode %(period)s") % {"period": plan.period_label},
                url_name="plans:quality-plan-detail",
                url_args=(plan.pk,),
            )
        )
    areas = (
        DevelopmentArea.objects.filter(
            owner=user, plan__in=plans.filter(period_end__gte=today.year).values("pk")
        )
        .select_related("plan")
        .order_by("-plan__period_start", "order", "pk")
    )
    for area in areas:
        items.append(
            FollowedUp(
                kind="area",
                label=area.name,
                status=_("Revisjon %(revision)s, %(state)s")
                % {
                    "revision": area.plan.revision,
                    "state": _("vedtatt") if area.plan.is_adopted else _("utkast"),
                },
                deadline=_("Planperiode %(period)s") % {"period": area.plan.period_label},
                # A draft's area has no framework page yet: the plan's page shows it.
                url_name="plans:framework-area"
                if area.plan.is_adopted
                else "plans:quality-plan-detail",
                url_args=(area.pk,) if area.plan.is_adopted else (area.plan_id,),
            )
        )
    current = SchoolYear.containing(today).start_year
    soon = today + datetime.timedelta(days=ENDING_SOON_DAYS)
    open_measures = Q(measures__status__in=OPEN_MEASURE_STATES)
    unit_plans = (
        UnitPlan.objects.visible_to(user)
        .filter(owner=user, school_year__in=(current - 1, current))
        .exclude(status="evaluated")
        .select_related("unit")
        .annotate(
            # The overdue rule is Measure's (overdue_measure_q), so it is asked as a
            # subquery rather than rewritten for the join.
            overdue=Coalesce(
                Subquery(
                    Measure.objects.filter(overdue_measure_q(today), plan=OuterRef("pk"))
                    .order_by()
                    .values("plan")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            ending_soon=Count(
                "measures",
                filter=open_measures & Q(measures__end__gte=today, measures__end__lte=soon),
            ),
            next_end=Min("measures__end", filter=open_measures & Q(measures__end__gte=today)),
        )
        .order_by("-school_year", "unit__name")
    )
    for unit_plan in unit_plans:
        items.append(
            FollowedUp(
                kind="unit_plan",
                label=f"{unit_plan.unit.name} {unit_plan.school_year_label}",
                status=unit_plan.get_status_display(),
                deadline=_unit_plan_deadline(unit_plan),
                url_name="plans:unit-plan-detail",
                url_args=(unit_plan.pk,),
                overdue=unit_plan.overdue,
            )
        )
    return items


def _unit_plan_deadline(plan) -> str:
    parts = []
    if plan.overdue:
        parts.append(
            ngettext("%(count)s tiltak over fristen", "%(count)s tiltak over fristen", plan.overdue)
            % {"count": plan.overdue}
        )
    if plan.ending_soon:
        parts.append(
            ngettext(
                "%(count)s tiltak slutter innen %(days)s dager",
                "%(count)s tiltak slutter innen %(days)s dager",
                plan.ending_soon,
            )
            % {"count": plan.ending_soon, "days": ENDING_SOON_DAYS}
        )
    if plan.next_end is not None and not parts:
        parts.append(_("Neste frist %(date)s") % {"date": plan.next_end.strftime("%d.%m.%Y")})
    if not parts:
        parts.append(_("Ingen åpne tiltak"))
    return "; ".join(parts)
