"""Who must have a mandatory training (the BTI model), who has it, and who is new.

Completion is read from the competence attendance the organisers record: a confirmed
registration marked attended, on a session that has started, of an activity that counts
for the requirement (one of its themes, or marked). With ``valid_years`` only a session
within that many years counts. Who must have it are the memberships in force of the
requirement's roles (and unit kinds); a person counts as new while their role has been
in force for less than ``new_staff_months`` months (``Membership.confirmed_at``, the
moment the grant took effect: the portal keeps no employment date).

The follow-up page reads everything in two queries, whatever the number of units and
people: the memberships, and each person's latest counting attendance."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.utils import timezone

from competence.models import (
    Activity,
    Registration,
    RegistrationStatus,
    Session,
    TrainingRequirement,
)
from plans.models import Membership, Role, Unit


def _months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day ``months`` earlier (the month's last day where it is shorter)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)  # pragma: no cover - day 28 exists in every month


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def counting_activities(requirement: TrainingRequirement):
    """The municipality's activities whose attendance completes the requirement."""
    return Activity.objects.filter(municipality_id=requirement.municipality_id).filter(
        Q(pk__in=requirement.activities.values("pk"))
        | Q(themes__in=requirement.themes.values("pk"))
    )


def completion_times(
    requirement: TrainingRequirement, user_ids, now: datetime.datetime | None = None
) -> dict[int, datetime.datetime]:
    """Each person's latest attended session that counts (and is still valid)."""
    now = now or timezone.now()
    attended = Registration.objects.filter(
        user_id__in=user_ids,
        status=RegistrationStatus.CONFIRMED,
        attended=True,
        session__starts_at__lte=now,
        session__activity__in=counting_activities(requirement).values("pk"),
    )
    if requirement.valid_years:
        attended = attended.filter(
            session__starts_at__gte=_months_before(now, 12 * requirement.valid_years)
        )
    return dict(
        attended.order_by()
        .values("user_id")
        .annotate(last=Max("session__starts_at"))
        .values_list("user_id", "last")
    )


@dataclass
class PersonStatus:
    user: object
    roles: list[str]
    since: datetime.datetime | None
    is_new: bool
    completed_on: datetime.date | None = None
    expires_on: datetime.date | None = None

    @property
    def done(self) -> bool:
        return self.completed_on is not None


@dataclass
class UnitStatus:
    """One unit's people (``unit`` None: roles held for the whole municipality)."""

    unit: Unit | None
    people: list[PersonStatus] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for person in self.people if person.done)

    @property
    def missing_count(self) -> int:
        return len(self.people) - self.done_count

    @property
    def new_missing(self) -> list[PersonStatus]:
        return [person for person in self.people if person.is_new and not person.done]


def _required_memberships(requirement: TrainingRequirement):
    memberships = Membership.objects.in_force().filter(
        municipality_id=requirement.municipality_id,
        role__in=requirement.roles,
        user__is_active=True,
    )
    if requirement.unit_kinds:
        memberships = memberships.filter(unit__kind__in=requirement.unit_kinds)
    return memberships


def training_status(
    *,
    requirement: TrainingRequirement,
    units,
    whole_municipality: bool,
    now: datetime.datetime | None = None,
) -> list[UnitStatus]:
    """Per unit of ``units`` (the ones the reader may see), and for the municipality-wide
    roles when ``whole_municipality``, who must have the training and whether they have."""
    now = now or timezone.now()
    scope = Q(unit__in=units)
    if whole_municipality:
        scope |= Q(unit__isnull=True)
    memberships = (
        _required_memberships(requirement)
        .filter(scope)
        .select_related("user", "unit")
        .order_by("unit__name", "user__first_name", "user__last_name", "user__username", "role")
    )
    new_since = _months_before(now, requirement.new_staff_months)
    role_labels = dict(Role.choices)
    by_unit: dict[int | None, UnitStatus] = {}
    by_person: dict[tuple[int | None, int], PersonStatus] = {}
    for membership in memberships:
        status = by_unit.setdefault(membership.unit_id, UnitStatus(unit=membership.unit))
        key = (membership.unit_id, membership.user_id)
        since = membership.confirmed_at
        person = by_person.get(key)
        if person is None:
            person = PersonStatus(user=membership.user, roles=[], since=since, is_new=False)
            by_person[key] = person
            status.people.append(person)
        person.roles.append(str(role_labels.get(membership.role, membership.role)))
        # A person with two roles in a unit is new there when their first role is.
        if since is not None and (person.since is None or since < person.since):
            person.since = since
        person.is_new = person.since is not None and person.since >= new_since
    completed = completion_times(requirement, {user for _unit, user in by_person}, now)
    for (_unit, user_id), person in by_person.items():
        last = completed.get(user_id)
        if last is not None:
            person.completed_on = timezone.localdate(last)
            if requirement.valid_years:
                person.expires_on = _years_after(person.completed_on, requirement.valid_years)
    # The municipality-wide roles last, after the units in name order.
    return sorted(by_unit.values(), key=lambda s: (s.unit is None, s.unit.name if s.unit else ""))


@dataclass
class TrainingDue:
    requirement: TrainingRequirement
    sessions: list[Session]


def training_due_for(user, *, now: datetime.datetime | None = None) -> list[TrainingDue]:
    """The requirements in force that ``user`` must meet and has not, each with the coming
    sessions that would give it (of activities meant for the user), soonest first."""
    now = now or timezone.now()
    mine = list(
        Membership.objects.in_force()
        .filter(user_id=user.pk)
        .values_list("municipality_id", "role", "unit__kind")
    )
    if not mine:
        return []
    municipality_ids = {municipality for municipality, _role, _kind in mine}
    due = []
    for requirement in TrainingRequirement.objects.in_force().filter(
        municipality_id__in=municipality_ids
    ):
        applies = any(
            role in requirement.roles
            and (not requirement.unit_kinds or kind in requirement.unit_kinds)
            for _municipality, role, kind in mine
        )
        if not applies or completion_times(requirement, [user.pk], now):
            continue
        activities = (
            counting_activities(requirement)
            .filter(pk__in=Activity.objects.visible_to(user).meant_for(user).values("pk"))
            .values("pk")
        )
        sessions = list(
            Session.objects.filter(activity__in=activities, starts_at__gt=now)
            .select_related("activity")
            .order_by("starts_at")[:3]
        )
        due.append(TrainingDue(requirement=requirement, sessions=sessions))
    return due
