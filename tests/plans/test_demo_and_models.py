from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from plans.demo import DEMO_PASSWORD
from plans.models import Membership, Municipality, Role, Unit, UnitKind
from reports.models import StatusReport
from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
@pytest.mark.django_db
def test_load_demo_is_idempotent_and_covers_every_kind_and_role(capsys, settings, tmp_path):
    # The whole command, the status reports included (their PDFs go to a directory of
    # the test's own); the other tests of the demo leave the reports out.
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo")
    first = (Unit.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (Unit.objects.count(), Membership.objects.count()) == first

    municipality = Municipality.objects.get()
    assert municipality.name == "Solvik kommune"
    assert 20 <= Unit.objects.count() <= 30
    assert set(Unit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Unit.objects.get(name="Solvik SFO").parent.name == "Solvik barneskole"
    out = capsys.readouterr().out
    assert "virksomhetsleder" in out
    assert "Tilstandsrapporter: 1 publisert (fjorårets) og 1 utkast (årets)." in out


@pytest.mark.django_db
def test_every_demo_login_reaches_its_home(client):
    call_command("load_demo", reports=False, stdout=io.StringIO())
    # --uten-rapporter: nothing rendered, nothing written to the media directory.
    assert not StatusReport.objects.exists()
    for username in (
        "sektorleder",
        "virksomhetsleder",
        "ansatt",
        "bti-koordinator",
        "folkevalgt",
        "dataansvarlig",
    ):
        client.post(reverse("logout"))
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
@pytest.mark.django_db
def test_load_demo_leaves_other_municipalities_alone():
    other = UnitFactory(municipality__number="5555", name="Annen skole")
    call_command("load_demo", reports=False)
    other.refresh_from_db()
    assert other.name == "Annen skole"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "valid"),
    [("974760673", True), ("974760674", False), ("12345", False), ("abcdefghi", False)],
)
def test_organisation_number_check_digit(value, valid):
    unit = UnitFactory.build(
        municipality=Municipality.objects.create(name="K", number="5001"), organisation_number=value
    )
    if valid:
        unit.full_clean()
    else:
        with pytest.raises(ValidationError):
            unit.full_clean()


@pytest.mark.django_db
def test_parent_must_be_in_same_municipality_and_not_a_cycle(cast):
    cast.school.parent = cast.other_unit
    with pytest.raises(ValidationError, match="samme kommune"):
        cast.school.full_clean()
    cast.school.parent = cast.sfo  # the SFO already sits under the school
    with pytest.raises(ValidationError, match="under seg selv"):
        cast.school.full_clean()


@pytest.mark.django_db
def test_user_belongs_to_one_municipality(cast):
    membership = Membership(
        user=cast["staff"],
        municipality=cast.other_municipality,
        unit=cast.other_unit,
        role=Role.STAFF,
    )
    with pytest.raises(ValidationError, match="hører til én kommune"):
        membership.full_clean()


@pytest.mark.django_db
def test_staff_and_unit_leaders_need_a_unit(cast):
    membership = Membership(user=UserFactory(), municipality=cast.municipality, role=Role.STAFF)
    with pytest.raises(ValidationError, match="må knyttes til en enhet"):
        membership.full_clean()


@pytest.mark.django_db
def test_unit_must_belong_to_membership_municipality(cast):
    membership = MembershipFactory.build(
        user=UserFactory(), municipality=cast.municipality, unit=cast.other_unit, role=Role.STAFF
    )
    with pytest.raises(ValidationError, match="hører ikke til den valgte kommunen"):
        membership.full_clean()


@pytest.mark.django_db
def test_municipality_number_is_four_digits():
    with pytest.raises(ValidationError, match="fire sifre"):
        Municipality(name="Feil", number="123").full_clean()
    with pytest.raises(ValidationError, match="«12» må være fire sifre"):
        Municipality(name="Feil", number="1234", historic_numbers=["12"]).full_clean()
