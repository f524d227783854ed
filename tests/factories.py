"""Factories shared by every test; personas are built from these in conftest.py."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from plans.models import Membership, Municipality, Role, Unit, UnitKind

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
