"""The data admin edits their own municipality's group mappings in the admin, and only
those; each edit is in the mapping log (tests/identity/test_group_mapping_confirmation.py)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from identity.models import GroupRoleMapping
from plans.models import Role
from tests.factories import MembershipFactory, MunicipalityFactory, UnitFactory, UserFactory
from tests.identity.helpers import make_provider

pytestmark = pytest.mark.django_db

URL = "/admin/identity/grouprolemapping/"


@pytest.fixture
def two(settings):
    north = MunicipalityFactory(name="Nordvik kommune", number="9101")
    south = MunicipalityFactory(name="Sørvik kommune", number="9102")
    settings.OIDC_PROVIDERS = {
        "nordvik": make_provider("nordvik", "9101"),
        "sorvik": make_provider("sorvik", "9102"),
    }
    admin = UserFactory(username="dataansvarlig")
    MembershipFactory(user=admin, municipality=north, role=Role.DATA_ADMIN)
    GroupRoleMapping.objects.create(
        municipality=south, provider="sorvik", group="south-secret", role=Role.DATA_ADMIN
    )
    return {"north": north, "south": south, "admin": admin}


def test_a_data_admin_adds_a_mapping_for_their_municipality_and_it_is_logged(client, two):
    client.force_login(two["admin"])
    school = UnitFactory(municipality=two["north"], name="Nordvik skole")
    response = client.post(
        f"{URL}add/",
        {
            "municipality": two["north"].pk,
            "provider": "nordvik",
            "group": "g-staff",
            "role": Role.STAFF,
            "unit": school.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = GroupRoleMapping.objects.get(group="g-staff")
    assert mapping.changed_by == two["admin"]
    assert LogEntry.objects.filter(object_id=str(mapping.pk), user=two["admin"]).exists()


def test_a_data_admin_sees_and_reaches_no_other_municipalitys_mappings(client, two):
    client.force_login(two["admin"])
    listing = client.get(URL)
    assert listing.status_code == 200
    assert "south-secret" not in listing.content.decode()
    other = GroupRoleMapping.objects.get(group="south-secret")
    assert client.get(f"{URL}{other.pk}/change/").status_code in {302, 403, 404}
    response = client.post(
        f"{URL}add/",
        {"municipality": two["south"].pk, "provider": "sorvik", "group": "x", "role": "data_admin"},
    )
    assert response.status_code == 200  # the form refuses the other municipality
    assert not GroupRoleMapping.objects.filter(group="x").exists()


def test_a_member_without_the_data_admin_role_cannot_edit_mappings(client, two):
    staff = UserFactory()
    MembershipFactory(
        user=staff,
        municipality=two["north"],
        unit=UnitFactory(municipality=two["north"]),
        role=Role.STAFF,
    )
    client.force_login(staff)
    assert client.get(URL).status_code == 403
