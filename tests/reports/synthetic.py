"""A synthetic municipality for the status report's benchmark and tests: a quality plan
with ``areas`` development areas, each with ``indicators`` indicators (figures for the
municipality and the country over six school years, a target for the report year), unit
plans with goals and measures in every status, completed self-assessments over three
years, fortellinger with and without consent, and competence activities with held
sessions and attendance — small groups (below the suppression threshold) as well as big.

Every figure is computed from the positions, nothing is random, so two runs agree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from competence.models import Activity, Feedback, Registration, Session
from indicators.models import ImportBatch, Indicator, Observation, Place, PlaceLevel, Source, Target
from indicators.parsing.base import COUNTRY_CODE, school_year_period
from plans.models import (
    AssessmentAnswer,
    AssessmentStatus,
    Attainment,
    CoreComponent,
    DevelopmentArea,
    InputGroup,
    InputSetting,
    JourneyStep,
    Measure,
    MeasureStatus,
    Membership,
    Municipality,
    ParticipationInput,
    QualityPlan,
    QualityTool,
    Role,
    SelfAssessment,
    ServiceField,
    StepAssessment,
    ToolStatement,
    Unit,
    UnitGoal,
    UnitKind,
    UnitPlan,
    UnitPlanStatus,
    UserJourney,
)
from plans.schoolyear import SchoolYear
from reports.models import LawTopic, LawTopicIndicator

PASSWORD = "Rapport-test-2026"
AREA_NAMES = (
    "Inkluderende miljø",
    "Tidlig innsats",
    "Lærende organisasjon",
    "Helsefremmende møteplasser",
)


@dataclass
class World:
    municipality: Municipality
    plan: QualityPlan
    areas: list[DevelopmentArea]
    indicators: list[Indicator]
    units: list[Unit]
    sector_leader: object
    official: object
    year: int


def _user(username: str, municipality: Municipality, role: str):
    user_model = get_user_model()
    user = user_model.objects.create_user(
        username=username, password=PASSWORD, first_name=username.title()
    )
    Membership.objects.create(user=user, municipality=municipality, role=role)
    return user


def build_world(
    *,
    name: str = "Testvik kommune",
    number: str = "9950",
    year: int = 2025,
    areas: int = 4,
    indicators: int = 2,
    units: int = 6,
    activities_per_area: int = 2,
    username_prefix: str = "",
) -> World:
    """Create the municipality and everything the report reads; returns the handles."""
    municipality = Municipality.objects.create(name=name, number=number)
    sector_leader = _user(f"{username_prefix}sektorleder", municipality, Role.SECTOR_LEADER)
    official = _user(f"{username_prefix}folkevalgt", municipality, Role.ELECTED_OFFICIAL)
    plan = QualityPlan.objects.create(
        municipality=municipality,
        title=f"Kvalitetsplan for {name}",
        period_start=year - 1,
        period_end=year + 2,
        adopted_on=datetime.date(year - 1, 6, 18),
        council_case=f"PS {year % 100:02d}/45",
    )
    unit_rows = [
        Unit.objects.create(
            municipality=municipality,
            name=f"{name.split()[0]} {'skole' if n % 2 else 'barnehage'} {n + 1}",
            kind=UnitKind.SCHOOL if n % 2 else UnitKind.KINDERGARTEN,
        )
        for n in range(units)
    ]
    area_rows, components = [], []
    for n in range(areas):
        area = DevelopmentArea.objects.create(
            plan=plan,
            order=n + 1,
            name=f"Område {n + 1}: {AREA_NAMES[n % len(AREA_NAMES)]}",
            goal=f"Mål for område {n + 1}: alle barn og unge opplever mestring og tilhørighet.",
            description="Området beskriver hva sektoren vil oppnå i planperioden.",
        )
        area_rows.append(area)
        components.append(
            CoreComponent.objects.create(area=area, order=1, name=f"Kjernekomponent {n + 1}")
        )

    # Tellinger: the country and the municipality, six school years up to the report year.
    source, _created = Source.objects.get_or_create(
        code="syntetisk", defaults={"name": "Syntetisk kilde"}
    )
    country, _created = Place.objects.get_or_create(
        level=PlaceLevel.COUNTRY, code=COUNTRY_CODE, defaults={"name": "Hele landet"}
    )
    own = Place.objects.create(level=PlaceLevel.MUNICIPALITY, code=number, name=name)
    batch = ImportBatch.objects.create(
        municipality=municipality, file_name="syntetisk.csv", sha256="0" * 64, status="lagret"
    )
    indicator_rows, observations = [], []
    for a, area in enumerate(area_rows):
        for i in range(indicators):
            indicator = Indicator.objects.create(
                source=source,
                code=f"{number}-{a}-{i}",
                name=f"Indikator {a + 1}.{i + 1} for {name}",
                unit_of_measure="prosent",
                higher_is_better=bool(i % 2 == 0),
            )
            indicator.areas.add(area)
            indicator_rows.append(indicator)
            for k, period_year in enumerate(range(year - 5, year + 1)):
                label, start, end = school_year_period(SchoolYear(period_year))
                base = Decimal(40 + 3 * a + i)
                for place, value in (
                    (own, base + Decimal(k) * Decimal("1.5")),
                    (country, base + Decimal(2)),
                ):
                    observations.append(
                        Observation(
                            indicator=indicator,
                            place=place,
                            period_label=label,
                            period_start=start,
                            period_end=end,
                            value=value,
                            batch=batch,
                        )
                    )
            # Even positions meet their target, odd ones miss it.
            last = Decimal(40 + 3 * a + i) + Decimal("7.5")
            met = (a + i) % 2 == 0
            wanted = last - 1 if (met == indicator.higher_is_better) else last + 1
            Target.objects.create(
                indicator=indicator, municipality=municipality, year=year, value=wanted
            )
            Target.objects.create(
                indicator=indicator, municipality=municipality, year=year + 1, value=wanted + 2
            )
    Observation.objects.bulk_create(observations, ignore_conflicts=True)

    # Unit plans, goals and measures for the year.
    statuses = list(MeasureStatus.values)
    attainments = [*Attainment.values, ""]
    for u, unit in enumerate(unit_rows):
        unit_plan = UnitPlan.objects.create(
            unit=unit, quality_plan=plan, school_year=year, status=UnitPlanStatus.APPROVED
        )
        worked = [area for n, area in enumerate(area_rows) if (n + u) % 2 == 0 or n == 0]
        unit_plan.areas.set(worked)
        for n, area in enumerate(worked):
            UnitGoal.objects.create(
                plan=unit_plan,
                area=area,
                text=f"Lokalt mål {u}.{n}",
                attainment=attainments[(u + n) % 4],
            )
            component = components[area_rows.index(area)]
            for m in range(3):
                Measure.objects.create(
                    plan=unit_plan,
                    description=f"Tiltak {u}.{n}.{m}",
                    component=component,
                    start=datetime.date(year, 8, 20),
                    end=datetime.date(year + 1, 6, 15),
                    status=statuses[(u + n + m) % len(statuses)],
                    target_groups=["ansatte"],
                )
        UnitPlan.objects.create(
            unit=unit, quality_plan=plan, school_year=year + 1, status=UnitPlanStatus.DRAFT
        ).areas.set(worked)

    # Self-assessments over three school years.
    tool = QualityTool.objects.create(
        municipality=municipality,
        quality_plan=plan,
        service_field=ServiceField.SCHOOL,
        title="Verktøy",
    )
    statements = [
        ToolStatement.objects.create(tool=tool, area=area, order=1, text=f"Påstand {n}")
        for n, area in enumerate(area_rows)
    ]
    for u, unit in enumerate(unit_rows):
        for offset in (2, 1, 0):
            assessment = SelfAssessment.objects.create(
                unit=unit,
                tool=tool,
                conducted_on=datetime.date(year - offset, 10, 10),
                status=AssessmentStatus.COMPLETED,
            )
            AssessmentAnswer.objects.bulk_create(
                AssessmentAnswer(
                    assessment=assessment, statement=statement, score=1 + (u + n + 2 - offset) % 4
                )
                for n, statement in enumerate(statements)
            )

    # Fortellinger: two with consent and one without per area.
    for n, area in enumerate(area_rows):
        for k, publishable in enumerate((True, True, False)):
            item = ParticipationInput.objects.create(
                municipality=municipality,
                quote=(
                    f"Fortelling {n + 1}.{k + 1}: jeg liker å være med når vi planlegger."
                    if publishable
                    else f"Hemmelig fortelling {n + 1}: uten samtykke."
                ),
                descriptor=f"Jente, {8 + k} år",
                group=InputGroup.CHILDREN,
                setting=InputSetting.CONVERSATION,
                given_on=datetime.date(year, 10, 1 + k),
                unit=unit_rows[n % len(unit_rows)],
                publishable=publishable,
            )
            item.areas.add(area)

    # User journeys: one with consent carried out in the year, one without consent, and
    # one with consent from the year before, all in the first area.
    for title, publishable, carried_out_on in (
        ("Brukerreise med samtykke", True, datetime.date(year, 11, 20)),
        ("Hemmelig brukerreise", False, datetime.date(year, 11, 21)),
        ("Brukerreise fra året før", True, datetime.date(year - 1, 11, 20)),
    ):
        journey = UserJourney.objects.create(
            municipality=municipality,
            title=f"{title} for {name}",
            description="En familie fulgt fra helsestasjonen til skolestart.",
            carried_out_on=carried_out_on,
            findings="Møtene bør samordnes.\n\nInformasjonen må følge barnet.",
            publishable=publishable,
        )
        journey.areas.add(area_rows[0])
        JourneyStep.objects.create(
            journey=journey,
            order=1,
            service="Helsestasjonen",
            what_happened="Fireårskontrollen fant språkvansker.",
            assessment=StepAssessment.GOOD,
        )

    # The law's topics: the first area's first indicator under læringsmiljø, the last
    # area's first under læringsresultater; gjennomføring has none.
    LawTopicIndicator.objects.create(
        municipality=municipality,
        topic=LawTopic.LEARNING_ENVIRONMENT,
        indicator=indicator_rows[0],
        order=1,
    )
    LawTopicIndicator.objects.create(
        municipality=municipality,
        topic=LawTopic.LEARNING_RESULTS,
        indicator=indicator_rows[-indicators],
        order=1,
    )

    # Competence: per area a big activity (12 confirmed, 9 attended) and small ones (3).
    people = [
        get_user_model().objects.create_user(username=f"{username_prefix}{number}-deltaker-{p}")
        for p in range(12)
    ]
    held = timezone.make_aware(datetime.datetime(year, 10, 15, 9, 0))
    for n, area in enumerate(area_rows):
        for k in range(activities_per_area):
            activity = Activity.objects.create(
                municipality=municipality,
                school_year=year,
                form="kurs",
                title=f"Kurs {n + 1}.{k + 1} for {name}",
                content="Innhold",
            )
            activity.areas.add(area)
            session = Session.objects.create(
                activity=activity,
                starts_at=held + datetime.timedelta(days=7 * k),
                ends_at=held + datetime.timedelta(days=7 * k, hours=3),
                capacity=20,
            )
            size = 12 if k == 0 else 3
            for p, person in enumerate(people[:size]):
                registration = Registration.objects.create(
                    session=session, user=person, attended=p < (9 if size == 12 else 2)
                )
                if p < (8 if size == 12 else 2):
                    Feedback.objects.create(registration=registration, score=4)
    return World(
        municipality=municipality,
        plan=plan,
        areas=area_rows,
        indicators=indicator_rows,
        units=unit_rows,
        sector_leader=sector_leader,
        official=official,
        year=year,
    )


def add_dialogue(world: World, *, approve: bool = True) -> None:
    """The council's yearly dialogue around the world's report (issue 18): last year's
    report published, with its political treatment, a follow-up item under way and a
    question answered; this year's case number recorded before publishing; and this
    year's assessment written under the five questions (final unless ``approve`` is
    False). What the snapshot's appendix, opening and text chapters read."""

    from reports.models import FollowUpStatus, ReportState, StatusReport
    from reports.services import council
    from reports.services.report_years import report_year_open
    from tests.reports.conftest import write_assessments

    last = world.year - 1
    leader = world.sector_leader
    previous = report_year_open(quality_plan=world.plan, year=last)
    published = StatusReport.objects.create(
        municipality=world.municipality,
        quality_plan=world.plan,
        year=last,
        state=ReportState.PUBLISHED,
        snapshot={},
        published_at=timezone.now(),
    )
    council.treatment_save(
        report_year=previous,
        user=leader,
        committee="Hovedutvalg for oppvekst",
        committee_meeting_on=datetime.date(last + 1, 2, 10),
        council_meeting_on=datetime.date(last + 1, 3, 5),
        case_number=f"{last + 1}/1234",
        decision="Tilstandsrapporten tas til orientering.",
    )
    item = council.follow_up_item_create(
        report_year=previous,
        user=leader,
        title="Plan mot mobbing på mellomtrinnet",
        description="Administrasjonen legger fram en plan for å få ned mobbingen.",
        owner=leader,
        due_on=datetime.date(last + 1, 12, 1),
    )
    council.follow_up_item_status_update(
        item=item, user=leader, status=FollowUpStatus.IN_PROGRESS, note="Planen er på høring."
    )
    question = council.question_submit(
        report=published,
        user=world.official,
        text="Hvorfor har ikke mobbingen gått ned?",
        notify=False,
    )
    council.question_answer_save(
        question=question, user=leader, answer="Tiltakene kom sent i gang; se kapittel 2."
    )
    council.treatment_save(
        report_year=report_year_open(quality_plan=world.plan, year=world.year),
        user=leader,
        committee="Hovedutvalg for oppvekst",
        committee_meeting_on=None,
        council_meeting_on=None,
        case_number=f"{world.year + 1}/77",
        decision="",
    )
    write_assessments(plan=world.plan, year=world.year, user=leader, approve=approve)


def add_owners_and_own_goals(world) -> None:
    """Issue 20 (version 6): the first area followed up by the sector leader (the
    second has no owner, so the report shows both), and one own goal per unit plan of
    the year, the first assessed as met."""
    world.areas[0].owner = world.sector_leader
    world.areas[0].save(update_fields=["owner"])
    plans = UnitPlan.objects.filter(quality_plan=world.plan, school_year=world.year)
    for n, plan in enumerate(plans.order_by("unit__name")):
        UnitGoal.objects.create(
            plan=plan,
            area=None,
            text=f"Eget mål {n + 1}: alle foreldre kjenner kontaktlæreren",
            attainment=Attainment.MET if n == 0 else "",
        )
