"""Factories shared by every test; personas are built from these in conftest.py."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from plans.models import (
    CoreComponent,
    DevelopmentArea,
    Measure,
    MeasureStatus,
    Membership,
    Municipality,
    QualityPlan,
    Role,
    TargetGroup,
    Unit,
    UnitGoal,
    UnitKind,
    UnitPlan,
    UnitPlanStatus,
)

PASSWORD = "Riktig-hest-batteri-9"
# Hashing once keeps factories fast while still exercising the real password check.
_PASSWORD_HASH = make_password(PASSWORD)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    number = factory.Sequence(lambda n: f"{5000 + n % 1000:04d}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = UnitKind.SCHOOL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"bruker{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.no")
    password = _PASSWORD_HASH


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.LazyAttribute(
        lambda m: m.unit.municipality if m.unit else MunicipalityFactory()
    )
    unit = None
    role = Role.STAFF
    # Confirmed, as most tests need; ``pending=True`` for a grant awaiting a sector leader.
    pending = False


# --- The quality plan and unit plans ----------------------------------------------------


class QualityPlanFactory(factory.django.DjangoModelFactory):
    """An adopted plan by default; pass ``adopted_on=None`` for a draft."""

    class Meta:
        model = QualityPlan

    municipality = factory.SubFactory(MunicipalityFactory)
    title = "Kvalitetsplan for oppvekst"
    period_start = 2025
    period_end = 2028
    purpose = "Gode oppvekstvilkår for alle barn og unge."
    adopted_on = datetime.date(2025, 6, 19)
    council_case = "25/123"


class DevelopmentAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevelopmentArea

    plan = factory.SubFactory(QualityPlanFactory)
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Utviklingsområde {n}")
    goal = "Alle opplever et inkluderende miljø."


class CoreComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoreComponent

    area = factory.SubFactory(DevelopmentAreaFactory)
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Kjernekomponent {n}")


class UnitPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitPlan

    unit = factory.SubFactory(UnitFactory)
    quality_plan = factory.SubFactory(
        QualityPlanFactory, municipality=factory.SelfAttribute("..unit.municipality")
    )
    school_year = 2025
    status = UnitPlanStatus.DRAFT


class UnitGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitGoal

    plan = factory.SubFactory(UnitPlanFactory)
    area = factory.SubFactory(
        DevelopmentAreaFactory, plan=factory.SelfAttribute("..plan.quality_plan")
    )
    text = factory.Sequence(lambda n: f"Lokalt mål {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    plan = factory.SubFactory(UnitPlanFactory)
    description = factory.Sequence(lambda n: f"Tiltak {n}")
    component = factory.SubFactory(
        CoreComponentFactory, area__plan=factory.SelfAttribute("...plan.quality_plan")
    )
    start = datetime.date(2025, 8, 15)
    end = datetime.date(2026, 6, 15)
    status = MeasureStatus.PLANNED
    target_groups = factory.LazyFunction(lambda: [TargetGroup.STAFF, TargetGroup.CHILDREN])


# --- Competence -------------------------------------------------------------------------


class FundingSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "competence.FundingScheme"

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Tilskudd {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "competence.Theme"
        django_get_or_create = ("municipality", "name")

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Tema {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "competence.Activity"

    municipality = factory.SubFactory(MunicipalityFactory)
    school_year = 2026
    form = "kurs"
    title = factory.Sequence(lambda n: f"Kurs {n}")
    content = "Innhold"
    place = "Kulturhuset"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "competence.Session"

    activity = factory.SubFactory(ActivityFactory)
    starts_at = factory.LazyFunction(
        lambda: datetime.datetime(2027, 3, 2, 12, 0, tzinfo=datetime.UTC)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    capacity = 20


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "competence.Registration"

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    status = "pameldt"
