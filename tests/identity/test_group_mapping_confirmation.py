"""Four eyes on group mappings, not on each person they reach (issue 17): every change of
a mapping is in the mapping log; a mapping into a BTI-reading role grants nothing until a
sector leader of its municipality who did not edit it confirms it; changing what it grants
asks again. Each refusal is tried by the attacker it is meant for, by GET and by POST."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from identity.models import GroupMappingChange, GroupRoleMapping, MappingAction, MappingStatus
from identity.services.oidc import (
    group_mapping_confirm,
    group_mapping_delete,
    group_mapping_reject,
    group_mapping_save,
    oidc_login_complete,
)
from plans.models import Membership, MembershipChange, Role
from tests.factories import MembershipFactory, MunicipalityFactory, UnitFactory, UserFactory
from tests.identity.helpers import claims_for, make_provider

pytestmark = pytest.mark.django_db

ADMIN_URL = "/admin/identity/grouprolemapping/"
LOG_ADMIN_URL = "/admin/identity/groupmappingchange/"
REVIEW = reverse("identity:mapping-review")


def _confirm_url(mapping):
    return reverse("identity:mapping-confirm", args=[mapping.pk])


def _reject_url(mapping):
    return reverse("identity:mapping-reject", args=[mapping.pk])


@pytest.fixture
def w(settings):
    north = MunicipalityFactory(name="Nordvik kommune", number="9101")
    south = MunicipalityFactory(name="Sørvik kommune", number="9102")
    settings.OIDC_PROVIDERS = {
        "nordvik": make_provider("nordvik", "9101"),
        "sorvik": make_provider("sorvik", "9102"),
    }
    school = UnitFactory(municipality=north, name="Nordvik skole")
    kindergarten = UnitFactory(municipality=north, name="Nordvik barnehage")

    def person(username, municipality, role):
        user = UserFactory(username=username)
        MembershipFactory(user=user, municipality=municipality, role=role)
        return user

    return {
        "north": north,
        "south": south,
        "school": school,
        "kindergarten": kindergarten,
        "admin": person("dataansvarlig", north, Role.DATA_ADMIN),
        "leader": person("sektorleder", north, Role.SECTOR_LEADER),
        # Data admin and sector leader at once: may edit, but not confirm their own edit.
        "both": person("begge-roller", north, Role.DATA_ADMIN),
        "south_leader": person("sorvik-leder", south, Role.SECTOR_LEADER),
        "south_admin": person("sorvik-admin", south, Role.DATA_ADMIN),
    }


@pytest.fixture
def both(w):
    MembershipFactory(user=w["both"], municipality=w["north"], role=Role.SECTOR_LEADER)
    return w["both"]


def _staff_mapping(w, actor=None, group="g-staff"):
    return group_mapping_save(
        mapping=GroupRoleMapping(
            municipality=w["north"],
            provider="nordvik",
            group=group,
            role=Role.STAFF,
            unit=w["school"],
        ),
        actor=actor or w["admin"],
    )


def _pending_section(client) -> str:
    """The page's table of mappings awaiting a decision (not its messages or log)."""
    page = client.get(REVIEW).content.decode()
    return page.split('id="pending-heading"')[1].split("log-heading")[0]


def _log(mapping, action):
    return GroupMappingChange.objects.get(mapping_pk=mapping.pk, action=action)


# --- 1. every change audited, through the services, from the admin too ---


def test_the_admins_add_change_and_delete_go_through_the_services_and_are_logged(client, w):
    client.force_login(w["admin"])
    response = client.post(
        f"{ADMIN_URL}add/",
        {
            "municipality": w["north"].pk,
            "provider": "nordvik",
            "group": "g-staff",
            "role": Role.STAFF,
            "unit": w["school"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = GroupRoleMapping.objects.get(group="g-staff")
    assert mapping.status == MappingStatus.PENDING
    assert mapping.changed_by == w["admin"]
    created = _log(mapping, MappingAction.CREATED)
    assert (created.actor, created.municipality, created.group, created.role) == (
        w["admin"],
        w["north"],
        "g-staff",
        Role.STAFF,
    )
    assert created.unit_name == "Nordvik skole"
    assert created.before == {}
    assert created.after["status"] == MappingStatus.PENDING

    response = client.post(
        f"{ADMIN_URL}{mapping.pk}/change/",
        {
            "municipality": w["north"].pk,
            "provider": "nordvik",
            "group": "g-staff",
            "role": Role.STAFF,
            "unit": w["kindergarten"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = _log(mapping, MappingAction.CHANGED)
    assert changed.before["unit"] == "Nordvik skole"
    assert changed.after["unit"] == "Nordvik barnehage"

    response = client.post(f"{ADMIN_URL}{mapping.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not GroupRoleMapping.objects.filter(pk=mapping.pk).exists()
    deleted = _log(mapping, MappingAction.DELETED)
    assert deleted.actor == w["admin"]
    assert deleted.before["group"] == "g-staff"


def test_the_admins_bulk_delete_logs_each_mapping(client, w):
    first = _staff_mapping(w, group="g-1")
    second = _staff_mapping(w, group="g-2")
    client.force_login(w["admin"])
    response = client.post(
        ADMIN_URL,
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not GroupRoleMapping.objects.exists()
    assert GroupMappingChange.objects.filter(action=MappingAction.DELETED).count() == 2


def test_saving_a_mapping_unchanged_is_no_change(w):
    mapping = _staff_mapping(w)
    group_mapping_save(mapping=GroupRoleMapping.objects.get(pk=mapping.pk), actor=w["admin"])
    assert GroupMappingChange.objects.filter(mapping_pk=mapping.pk).count() == 1


def test_the_mapping_log_is_read_only_in_the_admin_and_scoped(client, w):
    _staff_mapping(w)
    change = GroupMappingChange.objects.get()
    client.force_login(w["admin"])
    assert "g-staff" in client.get(LOG_ADMIN_URL).content.decode()
    assert client.get(f"{LOG_ADMIN_URL}add/").status_code == 403
    client.post(f"{LOG_ADMIN_URL}{change.pk}/change/", {"group": "forged"})
    client.post(f"{LOG_ADMIN_URL}{change.pk}/delete/", {"post": "yes"})
    change.refresh_from_db()
    assert change.group == "g-staff"
    client.force_login(w["south_admin"])
    assert "g-staff" not in client.get(LOG_ADMIN_URL).content.decode()
    # Not even a superuser edits or deletes the record.
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(f"{LOG_ADMIN_URL}{change.pk}/change/").status_code == 200
    client.post(f"{LOG_ADMIN_URL}{change.pk}/change/", {"group": "forged"})
    assert client.post(f"{LOG_ADMIN_URL}{change.pk}/delete/", {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert change.group == "g-staff"


def test_a_data_admin_cannot_save_or_delete_another_municipalitys_mapping(w):
    mapping = _staff_mapping(w)
    mapping.group = "g-hijacked"
    with pytest.raises(PermissionDenied):
        group_mapping_save(mapping=mapping, actor=w["south_admin"])
    with pytest.raises(PermissionDenied):
        group_mapping_delete(mapping=mapping, actor=w["south_admin"])
    assert GroupRoleMapping.objects.get(pk=mapping.pk).group == "g-staff"


# --- 2. four eyes on the rule ---


def test_a_mapping_into_a_role_without_bti_access_needs_no_confirmation(w):
    mapping = group_mapping_save(
        mapping=GroupRoleMapping(
            municipality=w["north"], provider="nordvik", group="g-pol", role=Role.ELECTED_OFFICIAL
        ),
        actor=w["admin"],
    )
    assert mapping.status == MappingStatus.CONFIRMED


def test_a_sector_leader_confirms_and_the_staff_then_sign_in_with_the_role_in_force(client, w):
    mapping = _staff_mapping(w)
    provider = make_provider("nordvik", "9101")
    kari = oidc_login_complete(provider=provider, claims=claims_for(provider, "kari", ["g-staff"]))
    assert not Membership.objects.filter(user=kari).exists()  # pending grants nothing

    client.force_login(w["leader"])
    assert "g-staff" in _pending_section(client)
    assert client.post(_confirm_url(mapping)).status_code == 302
    mapping.refresh_from_db()
    assert (mapping.status, mapping.confirmed_by) == (MappingStatus.CONFIRMED, w["leader"])
    assert _log(mapping, MappingAction.CONFIRMED).actor == w["leader"]

    oidc_login_complete(provider=provider, claims=claims_for(provider, "kari", ["g-staff"]))
    staff = Membership.objects.get(user=kari)
    assert (staff.pending, staff.granted_by, staff.confirmed_by) == (
        False,
        w["admin"],
        w["leader"],
    )
    assert MembershipChange.objects.filter(subject=kari, role=Role.STAFF).exists()


def test_a_sector_leader_rejects_and_the_mapping_grants_nothing(client, w):
    mapping = _staff_mapping(w)
    client.force_login(w["leader"])
    assert client.post(_reject_url(mapping)).status_code == 302
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.REJECTED
    assert _log(mapping, MappingAction.REJECTED).actor == w["leader"]
    assert "g-staff" not in _pending_section(client)
    provider = make_provider("nordvik", "9101")
    kari = oidc_login_complete(provider=provider, claims=claims_for(provider, "kari", ["g-staff"]))
    assert not Membership.objects.filter(user=kari).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"role": Role.UNIT_LEADER},
        {"unit": "kindergarten"},
        {"group": "g-other"},
    ],
)
def test_changing_a_confirmed_mappings_role_unit_or_group_asks_again(w, change):
    mapping = _staff_mapping(w)
    group_mapping_confirm(mapping=mapping, actor=w["leader"])
    mapping = GroupRoleMapping.objects.get(pk=mapping.pk)
    for name, value in change.items():
        setattr(mapping, name, w[value] if name == "unit" else value)
    mapping = group_mapping_save(mapping=mapping, actor=w["admin"])
    assert mapping.status == MappingStatus.PENDING
    assert mapping.confirmed_by is None


def test_the_editor_cannot_confirm_or_reject_their_own_mapping(client, w, both):
    mapping = _staff_mapping(w, actor=both)
    client.force_login(both)
    assert "g-staff" not in _pending_section(client)
    provider = make_provider("nordvik", "9101")
    kari = oidc_login_complete(provider=provider, claims=claims_for(provider, "kari", ["g-staff"]))
    assert not Membership.objects.filter(user=kari).exists()
    assert client.post(_confirm_url(mapping)).status_code == 404
    assert client.post(_reject_url(mapping)).status_code == 404
    with pytest.raises(PermissionDenied):
        group_mapping_confirm(mapping=mapping, actor=both)
    with pytest.raises(PermissionDenied):
        group_mapping_reject(mapping=mapping, actor=both)
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.PENDING


def test_a_data_admin_who_is_no_sector_leader_cannot_confirm(client, w):
    mapping = _staff_mapping(w, actor=w["both"])  # edited by someone else
    client.force_login(w["admin"])
    assert client.get(REVIEW).status_code == 403
    assert client.post(_confirm_url(mapping)).status_code == 403
    with pytest.raises(PermissionDenied):
        group_mapping_confirm(mapping=mapping, actor=w["admin"])
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.PENDING


def test_another_municipalitys_sector_leader_neither_sees_nor_confirms(client, w):
    mapping = _staff_mapping(w)
    client.force_login(w["south_leader"])
    page = client.get(REVIEW).content.decode()
    assert "g-staff" not in page  # neither pending nor in the log
    assert client.post(_confirm_url(mapping)).status_code == 404
    assert client.post(_reject_url(mapping)).status_code == 404
    with pytest.raises(PermissionDenied):
        group_mapping_confirm(mapping=mapping, actor=w["south_leader"])
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.PENDING


def test_a_data_admin_cannot_map_themselves_into_a_role_even_once_confirmed(w):
    provider = make_provider("nordvik", "9101")
    mapping = _staff_mapping(w)
    group_mapping_confirm(mapping=mapping, actor=w["leader"])
    from identity.models import OidcIdentity

    OidcIdentity.objects.create(
        user=w["admin"], provider="nordvik", issuer=provider.issuer, subject="admin-sub"
    )
    oidc_login_complete(provider=provider, claims=claims_for(provider, "admin-sub", ["g-staff"]))
    assert not Membership.objects.filter(user=w["admin"], role=Role.STAFF).exists()


def test_the_log_page_filters_like_the_membership_log(client, w):
    _staff_mapping(w, group="g-one")
    group_mapping_save(
        mapping=GroupRoleMapping(
            municipality=w["north"], provider="nordvik", group="g-two", role=Role.ELECTED_OFFICIAL
        ),
        actor=w["admin"],
    )
    client.force_login(w["leader"])
    log = (
        client.get(REVIEW + "?role=elected_official").content.decode().split('id="log-heading"')[1]
    )
    assert "g-two" in log
    assert "g-one" not in log
    log = client.get(REVIEW + "?action=deleted").content.decode().split('id="log-heading"')[1]
    assert "g-one" not in log
    assert "g-two" not in log


def test_only_the_portals_own_code_may_pass_a_confirmer_to_a_grant(w):
    from plans.services.organisation import membership_grant, membership_save

    # An actor passing a confirmer would skip the four eyes the actor is subject to: for
    # a new grant and for one already waiting.
    user = UserFactory()
    waiting = MembershipFactory(
        user=user, municipality=w["north"], unit=w["school"], role=Role.STAFF, pending=True
    )
    with pytest.raises(ValueError, match="confirmed_by"):
        membership_grant(
            user=user,
            municipality=w["north"],
            role=Role.STAFF,
            unit=w["school"],
            actor=w["admin"],
            confirmed_by=w["leader"],
        )
    waiting.refresh_from_db()
    assert waiting.pending
    with pytest.raises(ValueError, match="confirmed_by"):
        membership_save(
            membership=Membership(
                user=user, municipality=w["north"], unit=w["kindergarten"], role=Role.STAFF
            ),
            actor=w["admin"],
            confirmed_by=w["leader"],
        )
