"""Accounts and roles from an identity provider's claims (issue 17): matched on the
provider's subject only, memberships exactly as the confirmed mapped groups say, granted
and revoked through the membership services (logged, with the mapping's editor as grantor
and its confirmer as confirmer)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from identity.models import GroupRoleMapping, MappingStatus, OidcIdentity
from identity.selectors.claims import oidc_asserts_mfa
from identity.services.oidc import oidc_login_complete
from plans.models import Membership, MembershipAction, MembershipChange, Role
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    MunicipalityFactory,
    UnitFactory,
    UserFactory,
)
from tests.identity.helpers import claims_for, make_provider

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def world(settings):
    north = MunicipalityFactory(name="Nordvik kommune", number="9101")
    south = MunicipalityFactory(name="Sørvik kommune", number="9102")
    a = make_provider("nordvik", "9101")
    b = make_provider("sorvik", "9102")
    settings.OIDC_PROVIDERS = {a.key: a, b.key: b}
    school = UnitFactory(municipality=north, name="Nordvik skole")
    south_school = UnitFactory(municipality=south, name="Sørvik skole")
    # The mappings as the services leave them: edited by a data admin, the BTI-reading
    # ones confirmed by a sector leader (tests/identity/test_group_mapping_confirmation.py).
    editor = UserFactory(username="dataansvarlig", first_name="Dina", last_name="Data")
    MembershipFactory(user=editor, municipality=north, role=Role.DATA_ADMIN)
    leader = UserFactory(username="sektorleder", first_name="Siri", last_name="Sektor")
    MembershipFactory(user=leader, municipality=north, role=Role.SECTOR_LEADER)
    confirmed = {"status": MappingStatus.CONFIRMED, "changed_by": editor}
    GroupRoleMapping.objects.create(
        municipality=north,
        provider=a.key,
        group="g-staff",
        role=Role.STAFF,
        unit=school,
        confirmed_by=leader,
        **confirmed,
    )
    GroupRoleMapping.objects.create(
        municipality=north, provider=a.key, group="g-admin", role=Role.DATA_ADMIN, **confirmed
    )
    GroupRoleMapping.objects.create(
        municipality=south,
        provider=b.key,
        group="g-south-leader",
        role=Role.UNIT_LEADER,
        unit=south_school,
        status=MappingStatus.CONFIRMED,
    )
    return {
        "a": a,
        "b": b,
        "north": north,
        "south": south,
        "school": school,
        "editor": editor,
        "leader": leader,
    }


def roles(user) -> set[tuple[str, bool]]:
    return set(Membership.objects.filter(user=user).values_list("role", "pending"))


def test_first_login_creates_the_account_with_the_mapped_memberships(world):
    a = world["a"]
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-staff", "g-admin"]))
    assert OidcIdentity.objects.get(user=user).subject == "kari"
    assert not user.has_usable_password()
    # Staff opens BTI logs, but the mapping was confirmed: in force at once, no per-user
    # confirmation; the editor granted it and the mapping's confirmer confirmed it.
    assert roles(user) == {(Role.STAFF, False), (Role.DATA_ADMIN, False)}
    staff = Membership.objects.get(user=user, role=Role.STAFF)
    assert staff.granted_by == world["editor"]
    assert staff.confirmed_by == world["leader"]
    granted = MembershipChange.objects.filter(subject=user, action=MembershipAction.GRANTED)
    assert granted.count() == 2
    # The log names the mapping the grant came through.
    assert "nordvik:g-staff" in granted.get(role=Role.STAFF).after_text


def test_the_next_login_finds_the_same_account_by_subject(world):
    a = world["a"]
    first = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin"]))
    again = oidc_login_complete(
        provider=a, claims=claims_for(a, "kari", ["g-admin"], preferred_username="other")
    )
    assert again.pk == first.pk
    assert User.objects.filter(oidc_identity__isnull=False).count() == 1


def test_a_removed_group_loses_its_role_and_the_last_group_every_role(world):
    a = world["a"]
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-staff", "g-admin"]))
    oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin"]))
    assert roles(user) == {(Role.DATA_ADMIN, False)}
    oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["unmapped"]))
    assert roles(user) == set()
    revoked = MembershipChange.objects.filter(subject=user, action=MembershipAction.REVOKED)
    assert revoked.count() == 2


def test_a_group_mapped_in_another_municipality_grants_nothing(world):
    a = world["a"]
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-south-leader"]))
    assert roles(user) == set()


def test_the_same_subject_at_another_provider_is_another_account(world):
    a, b = world["a"], world["b"]
    north_user = oidc_login_complete(provider=a, claims=claims_for(a, "same-sub", ["g-admin"]))
    south_user = oidc_login_complete(
        provider=b, claims=claims_for(b, "same-sub", ["g-south-leader"])
    )
    assert north_user.pk != south_user.pk
    assert set(
        Membership.objects.filter(user=north_user).values_list("municipality", flat=True)
    ) == {world["north"].pk}


def test_a_local_account_with_the_same_name_or_email_is_not_taken_over(world):
    a = world["a"]
    local = UserFactory(username="kari@nordvik", email="kari@nordvik.kommune.no")
    user = oidc_login_complete(
        provider=a,
        claims=claims_for(a, "kari", ["g-admin"], email="kari@nordvik.kommune.no"),
    )
    assert user.pk != local.pk
    assert user.username == "kari@nordvik-2"
    local.refresh_from_db()
    assert local.check_password(PASSWORD)
    assert not Membership.objects.filter(user=local).exists()


def test_a_provider_pointed_at_another_issuer_cannot_reach_existing_accounts(world):
    a = world["a"]
    oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin"]))
    moved = make_provider("nordvik", "9101", issuer="https://evil.example.com")
    with pytest.raises(PermissionDenied):
        oidc_login_complete(provider=moved, claims=claims_for(moved, "kari", ["g-admin"]))


def test_a_disabled_account_is_refused(world):
    a = world["a"]
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin"]))
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin"]))


def test_login_without_a_subject_is_refused(world):
    a = world["a"]
    with pytest.raises(PermissionDenied):
        oidc_login_complete(provider=a, claims=claims_for(a, "", ["g-admin"]))


def test_mfa_is_read_from_amr_or_the_configured_acr():
    provider = make_provider("x", "9101", mfa_acr=("idporten-loa-high",))
    assert oidc_asserts_mfa(provider=provider, claims={"amr": ["pwd", "mfa"]})
    assert not oidc_asserts_mfa(provider=provider, claims={"amr": ["pwd"]})
    assert not oidc_asserts_mfa(provider=provider, claims={"amr": "mfa"})
    assert oidc_asserts_mfa(provider=provider, claims={"acr": "idporten-loa-high"})
    assert not oidc_asserts_mfa(provider=provider, claims={"acr": "idporten-loa-substantial"})


def test_a_mapping_must_stay_in_its_providers_municipality(world):
    from django.core.exceptions import ValidationError

    mapping = GroupRoleMapping(
        municipality=world["south"], provider="nordvik", group="x", role=Role.DATA_ADMIN
    )
    with pytest.raises(ValidationError):
        mapping.full_clean()
    mapping = GroupRoleMapping(
        municipality=world["north"],
        provider="nordvik",
        group="x",
        role=Role.STAFF,
        unit=UnitFactory(municipality=world["south"]),
    )
    with pytest.raises(ValidationError):
        mapping.full_clean()


def test_nobody_gets_a_role_through_a_mapping_they_edited_themselves(world):
    a = world["a"]
    admin = oidc_login_complete(provider=a, claims=claims_for(a, "admin", ["g-admin", "g-x"]))
    colleague = oidc_login_complete(provider=a, claims=claims_for(a, "colleague", ["g-x"]))
    GroupRoleMapping.objects.create(
        municipality=world["north"],
        provider=a.key,
        group="g-x",
        role=Role.ELECTED_OFFICIAL,
        changed_by=admin,
        status=MappingStatus.CONFIRMED,
    )
    oidc_login_complete(provider=a, claims=claims_for(a, "admin", ["g-admin", "g-x"]))
    oidc_login_complete(provider=a, claims=claims_for(a, "colleague", ["g-x"]))
    assert roles(admin) == {(Role.DATA_ADMIN, False)}
    assert roles(colleague) == {(Role.ELECTED_OFFICIAL, False)}


def test_a_pending_or_rejected_mapping_grants_nothing(world):
    a = world["a"]
    GroupRoleMapping.objects.filter(group="g-staff").update(status=MappingStatus.PENDING)
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-staff"]))
    assert roles(user) == set()
    GroupRoleMapping.objects.filter(group="g-staff").update(status=MappingStatus.REJECTED)
    oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-staff"]))
    assert roles(user) == set()


def test_the_confirmer_of_a_mapping_gets_no_role_through_it(world):
    a = world["a"]
    leader = oidc_login_complete(provider=a, claims=claims_for(a, "leder", ["g-staff"]))
    GroupRoleMapping.objects.filter(group="g-staff").update(confirmed_by=leader)
    oidc_login_complete(provider=a, claims=claims_for(a, "leder", ["g-staff"]))
    assert roles(leader) == set()


def test_a_grant_waiting_for_a_per_user_confirmation_takes_effect_once_its_mapping_is_confirmed(
    world,
):
    a = world["a"]
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin"]))
    # Granted before the rule was confirmed (per-user confirmation, as before issue 17).
    MembershipFactory(
        user=user, municipality=world["north"], unit=world["school"], role=Role.STAFF, pending=True
    )
    oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-admin", "g-staff"]))
    staff = Membership.objects.get(user=user, role=Role.STAFF)
    assert not staff.pending
    assert staff.confirmed_by == world["leader"]
    assert MembershipChange.objects.filter(
        subject=user, action=MembershipAction.CONFIRMED, role=Role.STAFF
    ).exists()


def test_a_sign_in_only_provider_leaves_the_roles_granted_in_the_portal(world):
    """Ansattporten sends no groups (``OIDC_<KEY>_ROLES_FROM=portal``): the login links the
    account and the roles are the ones granted in the portal, four eyes as for everyone."""
    a = make_provider("nordvik", "9101", roles_from="portal")
    user = oidc_login_complete(provider=a, claims=claims_for(a, "kari", ["g-staff", "g-admin"]))
    assert roles(user) == set()  # the groups claim grants nothing
    MembershipFactory(user=user, municipality=world["north"], role=Role.ELECTED_OFFICIAL)
    oidc_login_complete(provider=a, claims=claims_for(a, "kari", []))
    assert roles(user) == {(Role.ELECTED_OFFICIAL, False)}  # kept, not synced away
