"""The demo municipality's competence plan: funding schemes with grants, themes, the
activity table, sessions with sign-ups, attendance and feedback, needs surveys and the
annual wheel's dated events.

The 2022/23 activities follow the facts of the Ås competence plan's activity table (forms,
target groups, kinds of organiser, dates, funding), written anew for the fictional Solvik:
its own units and demo users organise, and external partners are named by kind. The
current school year's plan is derived from the same table, with sessions spread over the
year relative to ``today`` so there is always something to sign up for and something
already attended. Last school year's plan, the year the demo's status report covers, is
derived from it too and is over: every session held, with attendance and feedback.
Nothing is random: two runs on the same day give the same data. The content is data,
``fixtures/demo/competence.json``; this module says how it becomes rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone

from competence.models import (
    Activity,
    ActivityForm,
    CalendarEvent,
    CompetenceNeed,
    EventAudience,
    EventKind,
    Feedback,
    FundingGrant,
    FundingScheme,
    NeedSurvey,
    Registration,
    RegistrationStatus,
    Session,
    Theme,
    TrainingRequirement,
)
from plans.demo_data import read_demo_data
from plans.models import (
    CoreComponent,
    DevelopmentArea,
    Membership,
    Municipality,
    QualityPlan,
    Role,
    Unit,
    UnitKind,
)
from plans.schoolyear import SchoolYear

FACT_YEAR = 2022  # the Ås table's school year, 2022/23


@dataclass(frozen=True)
class DemoActivity:
    """One line of the activity table, without its dates."""

    form: Annotated[str, ActivityForm]
    title: str
    content: str
    themes: tuple[str, ...]
    target_description: str
    target_kinds: tuple[Annotated[str, UnitKind], ...] = ()
    target_units: tuple[str, ...] = ()
    target_roles: tuple[Annotated[str, Role], ...] = ()
    organiser_units: tuple[str, ...] = ()
    partners: str = ""
    organisers: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    place: str = ""


# A school year's plan, derived from the same table. Sessions: (month, day, start, end,
# when): "fixed" keeps the date; "past" moves it to before today, "future" to after today,
# so the demo always has sessions to sign up for and sessions with attendance.
PAST, FUTURE, FIXED = "past", "future", "fixed"


@dataclass(frozen=True)
class YearActivity:
    key: str
    scheme: str | None
    budget: int
    spent: int
    sessions: tuple[tuple[int, int, str, str, str], ...]
    capacity: int | None = None
    organisers: tuple[str, ...] | None = None  # None: those of the table line
    # session index → how many of the eligible people sign up (default: up to capacity / 8)
    sign_ups: dict[int, int] = field(default_factory=dict)
    # People left off the coming sessions, so they can sign up themselves in the demo.
    keep_free: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompetenceDemoData:
    """The shape of ``fixtures/demo/competence.json``; ``fixtures/README.md`` says what each
    key holds. Units, areas, components and users are named as in ``plans.json``."""

    # name → (description, grant for 2022/23, last school year, this school year)
    schemes: dict[str, tuple[str, int, int, int]]
    themes: tuple[str, ...]
    activities: dict[str, DemoActivity]
    # The Ås table's dates for 2022/23: (activity key, scheme, budget, spent, sessions
    # [(date, start, end, place)]). Lines the table gives no date for have no session.
    facts: tuple[
        tuple[str, str | None, int, int, tuple[tuple[datetime.date, str, str, str], ...]], ...
    ]
    # This school year, and last school year (the one the demo's status report covers:
    # every date lies before today, so every session has attendance and feedback).
    current: tuple[YearActivity, ...]
    last: tuple[YearActivity, ...]
    # (unit kind, theme, share, respondents) for the two KOSIP rounds.
    survey_facts: tuple[tuple[Annotated[str, UnitKind], str, str, int], ...]
    survey_current: tuple[tuple[Annotated[str, UnitKind], str, str, int], ...]
    comments: tuple[str, ...]
    scores: tuple[int, ...]
    # The annual wheel: (kind, title, description, (month, day), last day as (month, day)
    # or null, audience)
    events: tuple[
        tuple[
            Annotated[str, EventKind],
            str,
            str,
            tuple[int, int],
            tuple[int, int] | None,
            Annotated[str, EventAudience],
        ],
        ...,
    ]


DATA = read_demo_data("competence.json", CompetenceDemoData)


def demo_clear(municipality: Municipality) -> None:
    """Everything the demo makes in the competence app, in an order the PROTECT foreign
    keys allow. Calendar subscriptions (feed tokens) belong to the users and are kept."""
    NeedSurvey.objects.filter(municipality=municipality).delete()
    Activity.objects.filter(municipality=municipality).delete()
    FundingScheme.objects.filter(municipality=municipality).delete()
    Theme.objects.filter(municipality=municipality).delete()
    CalendarEvent.objects.filter(municipality=municipality).delete()
    TrainingRequirement.objects.filter(municipality=municipality).delete()


def demo_seed(
    municipality: Municipality,
    plan: QualityPlan,
    units: dict[str, Unit],
    users: dict,
    today: datetime.date,
) -> dict[str, int]:
    """Create the demo competence plan; returns what was made, by kind."""
    year = SchoolYear.current(today).start_year
    schemes = _seed_schemes(municipality, year)
    themes = {
        name: Theme.objects.create(municipality=municipality, name=name) for name in DATA.themes
    }
    context = _Context(
        municipality=municipality,
        plan=plan,
        units=units,
        users=users,
        today=today,
        schemes=schemes,
        themes=themes,
        people=_people(municipality, users),
    )
    for key, scheme, budget, spent, sessions in DATA.facts:
        activity = _activity(context, key, FACT_YEAR, scheme, budget, spent)
        for index, (held_on, start, end, place) in enumerate(sessions):
            _session(context, activity, index, _at(held_on, start), _at(held_on, end), place)
    # Last school year, unless that is the table's own year (its facts are that year).
    if year - 1 != FACT_YEAR:
        _seed_year(context, year - 1, DATA.last)
    _seed_year(context, year, DATA.current)
    _seed_surveys(municipality, themes, year, users)
    _seed_events(municipality, year, users)
    return {
        "competence_schemes": len(schemes),
        "competence_themes": Theme.objects.filter(municipality=municipality).count(),
        "competence_activities": Activity.objects.filter(municipality=municipality).count(),
        "competence_sessions": Session.objects.filter(activity__municipality=municipality).count(),
        "competence_registrations": Registration.objects.filter(
            session__activity__municipality=municipality
        ).count(),
        "competence_feedback": Feedback.objects.filter(
            registration__session__activity__municipality=municipality
        ).count(),
        "competence_surveys": NeedSurvey.objects.filter(municipality=municipality).count(),
        "competence_needs": CompetenceNeed.objects.filter(
            survey__municipality=municipality
        ).count(),
        "competence_events": CalendarEvent.objects.filter(municipality=municipality).count(),
    }


# --- helpers ------------------------------------------------------------------------------


@dataclass
class _Person:
    user: Any
    kinds: frozenset[str]
    unit_names: frozenset[str]
    roles: frozenset[str]


@dataclass
class _Context:
    municipality: Municipality
    plan: QualityPlan
    units: dict[str, Unit]
    users: dict
    today: datetime.date
    schemes: dict[str, FundingScheme]
    themes: dict[str, Theme]
    people: list[_Person]


# The people who sign up: staff and unit leaders, and the sector leader for what is meant
# for her; elected officials, the data admin and the BTI coordinator only organise or read.
PARTICIPANT_ROLES = {Role.STAFF, Role.UNIT_LEADER, Role.SECTOR_LEADER}


def _people(municipality: Municipality, users: dict) -> list[_Person]:
    by_user: dict[int, dict[str, set[str]]] = {}
    rows = Membership.objects.filter(
        municipality=municipality, user__in=users.values(), role__in=PARTICIPANT_ROLES
    ).values_list("user_id", "unit__kind", "unit__name", "role")
    for user_id, kind, unit_name, role in rows:
        found = by_user.setdefault(user_id, {"kinds": set(), "units": set(), "roles": set()})
        if kind:
            found["kinds"].add(kind)
            found["units"].add(unit_name)
        found["roles"].add(role)
    people = []
    # The staff user the README names comes first, so she is in every group she belongs to.
    for username in sorted(users, key=lambda name: (name != "ansatt", name)):
        user = users[username]
        if user.pk in by_user:
            found = by_user[user.pk]
            people.append(
                _Person(
                    user,
                    frozenset(found["kinds"]),
                    frozenset(found["units"]),
                    frozenset(found["roles"]),
                )
            )
    return people


def _seed_schemes(municipality: Municipality, year: int) -> dict[str, FundingScheme]:
    schemes = {}
    for name, (description, fact_grant, last_grant, this_grant) in DATA.schemes.items():
        scheme = FundingScheme.objects.create(
            municipality=municipality, name=name, description=description
        )
        grants = {FACT_YEAR: fact_grant, year - 1: last_grant, year: this_grant}
        for school_year, amount in sorted(grants.items()):
            FundingGrant.objects.create(scheme=scheme, school_year=school_year, amount=amount)
        schemes[name] = scheme
    return schemes


def _seed_year(context: _Context, year: int, plan: tuple[YearActivity, ...]) -> None:
    today = context.today
    for line in plan:
        activity = _activity(
            context, line.key, year, line.scheme, line.budget, line.spent, line.organisers
        )
        future_index = 0
        for index, (month, day, start, end, when) in enumerate(line.sessions):
            date = _school_year_date(year, month, day)
            if when == PAST:
                date = min(date, today - datetime.timedelta(days=2 + 7 * index))
            elif when == FUTURE:
                future_index += 1
                date = max(date, today + datetime.timedelta(days=7 * future_index))
            _session(
                context,
                activity,
                index,
                _at(date, start),
                _at(date, end),
                "",
                capacity=line.capacity,
                sign_ups=line.sign_ups.get(index),
                keep_free=line.keep_free,
            )


def _at(day: datetime.date, clock: str) -> datetime.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour, minute)),
        timezone.get_default_timezone(),
    )


def _school_year_date(year: int, month: int, day: int) -> datetime.date:
    return SchoolYear(year).first_of(month).replace(day=day)


def _activity(
    context: _Context,
    key: str,
    school_year: int,
    scheme: str | None,
    budget: int,
    spent: int,
    organisers: tuple[str, ...] | None = None,
) -> Activity:
    demo = DATA.activities[key]
    activity = Activity(
        municipality=context.municipality,
        school_year=school_year,
        form=demo.form,
        title=demo.title,
        content=demo.content,
        target_kinds=list(demo.target_kinds),
        target_roles=list(demo.target_roles),
        target_description=demo.target_description,
        partners=demo.partners,
        place=demo.place,
        funding_scheme=context.schemes[scheme] if scheme else None,
        budget=Decimal(budget),
        spent=Decimal(spent),
    )
    activity.full_clean()
    activity.save()
    activity.themes.set([context.themes[name] for name in demo.themes])
    activity.target_units.set([context.units[name] for name in demo.target_units])
    activity.organiser_units.set([context.units[name] for name in demo.organiser_units])
    activity.organisers.set(
        [context.users[name] for name in (demo.organisers if organisers is None else organisers)]
    )
    activity.areas.set(DevelopmentArea.objects.filter(plan=context.plan, name__in=demo.areas))
    activity.components.set(
        CoreComponent.objects.filter(area__plan=context.plan, name__in=demo.components)
    )
    return activity


def _eligible(context: _Context, activity: Activity) -> list:
    """The demo people in the activity's target group, the organisers left out."""
    demo_kinds = set(activity.target_kinds)
    demo_roles = set(activity.target_roles)
    demo_units = {unit.name for unit in activity.target_units.all()}
    organisers = {user.pk for user in activity.organisers.all()}
    everyone = not (demo_kinds or demo_roles or demo_units)
    eligible = []
    for person in context.people:
        if person.user.pk in organisers:
            continue
        if Role.SECTOR_LEADER in person.roles and Role.SECTOR_LEADER not in demo_roles:
            continue
        if (
            everyone
            or person.kinds & demo_kinds
            or person.unit_names & demo_units
            or person.roles & demo_roles
        ):
            eligible.append(person.user)
    return eligible


def _session(
    context: _Context,
    activity: Activity,
    index: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    *,
    capacity: int | None = None,
    sign_ups: int | None = None,
    keep_free: tuple[str, ...] = (),
) -> Session:
    session = Session.objects.create(
        activity=activity, starts_at=starts_at, ends_at=ends_at, place=place, capacity=capacity
    )
    is_past = starts_at.date() < context.today
    eligible = _eligible(context, activity)
    if not is_past:
        eligible = [user for user in eligible if user.username not in keep_free]
    if not eligible:
        return session
    wanted = sign_ups if sign_ups is not None else min(len(eligible), capacity or 8, 8)
    # Rotate through the group so each session has a somewhat different crowd; the first
    # person (the README's staff user, where eligible) stays in.
    rest = eligible[1:]
    shift = (index * 3) % len(rest) if rest else 0
    crowd = [eligible[0], *rest[shift:], *rest[:shift]][:wanted]
    for position, user in enumerate(crowd):
        full = capacity is not None and position >= capacity
        registration = Registration.objects.create(
            session=session,
            user=user,
            status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
            registered_at=min(
                starts_at - datetime.timedelta(days=21, minutes=-position),
                timezone.now() - datetime.timedelta(minutes=len(crowd) - position),
            ),
        )
        if not is_past or full:
            continue
        # About one in six did not turn up; most who came left a rating.
        attended = (position + index) % 6 != 5
        registration.attended = attended
        registration.save(update_fields=["attended"])
        if attended and (position + index) % 4 != 3:
            Feedback.objects.create(
                registration=registration,
                score=DATA.scores[(position + 2 * index) % len(DATA.scores)],
                comment=DATA.comments[(position + index) % len(DATA.comments)],
            )
    return session


def _seed_surveys(municipality: Municipality, themes: dict[str, Theme], year: int, users) -> None:
    rounds = [
        (f"KOSIP november {year - 1}", datetime.date(year - 1, 11, 18), year, DATA.survey_current)
    ]
    if year - 1 != 2021:
        rounds.append(
            ("KOSIP november 2021", datetime.date(2021, 11, 15), FACT_YEAR, DATA.survey_facts)
        )
    for name, conducted_on, school_year, needs in rounds:
        survey = NeedSurvey.objects.create(
            municipality=municipality,
            name=name,
            conducted_on=conducted_on,
            school_year=school_year,
            created_by=users["dataansvarlig"],
        )
        CompetenceNeed.objects.bulk_create(
            CompetenceNeed(
                survey=survey,
                unit_kind=kind,
                theme=themes[theme],
                share=Decimal(share),
                respondents=respondents,
            )
            for kind, theme, share, respondents in needs
        )


def _seed_events(municipality: Municipality, year: int, users) -> None:
    for kind, title, description, (month, day), until, audience in DATA.events:
        CalendarEvent.objects.create(
            municipality=municipality,
            kind=kind,
            title=title,
            description=description,
            starts_on=_school_year_date(year, month, day),
            ends_on=_school_year_date(year, *until) if until else None,
            audience=audience,
            created_by=users["sektorleder"],
        )


# --- Mandatory training (the BTI model) ---------------------------------------------------


@dataclass(frozen=True)
class DemoRequirement:
    name: str
    description: str
    themes: tuple[str, ...]
    # Keys of ``competence.json``'s activities: every year's activity of that line counts.
    activities: tuple[str, ...]
    roles: tuple[Annotated[str, Role], ...]
    unit_kinds: tuple[Annotated[str, UnitKind], ...]
    valid_years: int | None
    new_staff_months: int
    set_by: str


@dataclass(frozen=True)
class TrainingDemoData:
    """The shape of ``fixtures/demo/competence_training.json``."""

    requirements: tuple[DemoRequirement, ...]


TRAINING = read_demo_data("competence_training.json", TrainingDemoData)


def demo_training_seed(municipality: Municipality, users: dict) -> dict[str, int]:
    """Solvik's mandatory trainings, set by the sector leader through the service (so the
    history shows who set them). Completion comes from the attendance ``demo_seed`` made on
    the BTI activities: some staff have attended, others not."""
    from competence.services.training import training_requirement_save

    for demo in TRAINING.requirements:
        titles = [DATA.activities[key].title for key in demo.activities]
        training_requirement_save(
            municipality=municipality,
            data={
                "name": demo.name,
                "description": demo.description,
                "themes": list(
                    Theme.objects.filter(municipality=municipality, name__in=demo.themes)
                ),
                "activities": list(
                    Activity.objects.filter(municipality=municipality, title__in=titles)
                ),
                "roles": list(demo.roles),
                "unit_kinds": list(demo.unit_kinds),
                "valid_years": demo.valid_years,
                "new_staff_months": demo.new_staff_months,
            },
            actor=users[demo.set_by],
        )
    return {
        "competence_training_requirements": TrainingRequirement.objects.filter(
            municipality=municipality
        ).count()
    }
