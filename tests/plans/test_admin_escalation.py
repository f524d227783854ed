"""No escalation through the admin or the imports (issue 13, item 1), attacked as every
persona: other users' ids, a superuser's, a staff user's, another municipality's user and
unit, one's own account. And four eyes on every grant of a role that opens BTI logs, with
the record of every membership change shown to sector leaders (item 6)."""

from __future__ import annotations

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.urls import reverse

from btitracker.models import ConcernCase
from plans.access import access_for, forget_access
from plans.models import Membership, MembershipAction, MembershipChange, Role, Unit
from plans.resources import MembershipResource, UnitResource
from plans.selectors.organisation import users_managed_by
from tests.bti.helpers import build_bti
from tests.conftest import PERSONAS
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.plans.test_import_export import confirm, upload

User = get_user_model()
ALL = (*PERSONAS, "other_municipality", "no_membership", "anonymous")
NEW_PASSWORD = "Nytt-hemmelig-ord-77"


@pytest.fixture
def targets(cast):
    """Accounts an attacker names: a superuser with no membership, a staff-flagged user
    who is a member here, a user with only an elected official's role (within a data
    admin's reach, also for passwords), and another municipality's user."""
    superuser = UserFactory(username="superbruker", is_superuser=True, is_staff=True)
    staff_flag = UserFactory(username="stab", is_staff=True)
    MembershipFactory(user=staff_flag, municipality=cast.municipality, role=Role.DATA_ADMIN)
    # A superuser who is also a member here: membership does not bring them into reach.
    member_superuser = UserFactory(username="super-medlem", is_superuser=True)
    MembershipFactory(
        user=member_superuser, municipality=cast.municipality, role=Role.ELECTED_OFFICIAL
    )
    return {
        "superuser": superuser,
        "member_superuser": member_superuser,
        "staff_flag": staff_flag,
        "reachable": cast["elected_official"],
        "bti_reader": cast["staff"],
        "other_municipality": cast["other_municipality"],
        "no_membership": cast["no_membership"],
    }


def login(client, cast, persona):
    client.logout()
    if persona != "anonymous":
        client.force_login(cast[persona])
    return client


def snapshot():
    """Everything an attack on the admin could change about users and memberships."""
    users = list(
        User.objects.order_by("pk").values_list(
            "pk", "username", "password", "email", "is_superuser", "is_staff", "is_active"
        )
    )
    memberships = list(
        Membership.objects.order_by("pk").values_list(
            "pk", "user_id", "municipality_id", "unit_id", "role", "pending"
        )
    )
    return users, memberships


# --- Who a data admin reaches -----------------------------------------------------------


def test_data_admin_reaches_only_plain_members_of_own_municipality(cast, targets):
    reach = set(users_managed_by(cast["data_admin"]).values_list("username", flat=True))
    assert reach == {"sektorleder", "virksomhetsleder", "ansatt", "bti", "folkevalgt"}
    for name in (
        "superuser",
        "member_superuser",
        "staff_flag",
        "other_municipality",
        "no_membership",
    ):
        assert targets[name].username not in reach
    assert "dataansvarlig" not in reach  # not even their own account
    for persona in ("sector_leader", "unit_leader", "staff", "bti_coordinator"):
        assert not users_managed_by(cast[persona]).exists(), persona


# --- The import of memberships: both steps ----------------------------------------------


ATTACK_ROWS = {
    "superuser": "superbruker,9901,,data_admin",
    "member_superuser": "super-medlem,9901,Solvik barneskole,staff",
    "staff_flag": "stab,9901,,elected_official",
    "own account": "dataansvarlig,9901,Solvik barneskole,unit_leader",
    "no_membership": "uten-rolle,9901,Solvik barneskole,staff",
    "other_municipality": "nabo-data,9901,,data_admin",
    "other municipality's unit": "folkevalgt,9902,Nabovik skole,staff",
}


@pytest.mark.parametrize("attack", ATTACK_ROWS)
def test_membership_import_preview_refuses_attacker_rows(cast, targets, client, attack):
    before = snapshot()
    login(client, cast, "data_admin")
    preview = upload(
        client, "membership", "brukernavn,kommunenummer,enhet,rolle\n" + ATTACK_ROWS[attack] + "\n"
    )
    body = preview.content.decode()
    assert preview.status_code == 200
    assert 'name="import_file_name"' not in body  # nothing to confirm
    if attack != "other municipality's unit":
        assert "Rad 1:" in body
    assert snapshot() == before


@pytest.mark.parametrize("attack", ATTACK_ROWS)
def test_membership_import_commit_refuses_attacker_rows(cast, targets, attack):
    """The commit step runs the same rows again without a dry run: still nothing."""
    before = snapshot()
    dataset = tablib.Dataset(headers=["brukernavn", "kommunenummer", "enhet", "rolle"])
    dataset.append(ATTACK_ROWS[attack].split(","))
    result = MembershipResource(user=cast["data_admin"]).import_data(dataset, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert snapshot() == before


def test_imported_superuser_never_shows_up_for_the_data_admin(cast, targets, client):
    """The reported attack: import a superuser, find them in the list, set the password."""
    superuser = targets["superuser"]
    login(client, cast, "data_admin")
    upload(client, "membership", "brukernavn,kommunenummer,enhet,rolle\nsuperbruker,9901,,staff\n")
    changelist = client.get(reverse("admin:auth_user_changelist"))
    assert ">superbruker</a>" not in changelist.content.decode()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404  # no such user for this data admin
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)


def test_membership_import_names_the_row_and_keeps_good_files_working(cast, client):
    login(client, cast, "data_admin")
    preview = upload(
        client,
        "membership",
        "brukernavn,kommunenummer,enhet,rolle\n"
        "folkevalgt,9901,Solbakken barnehage,staff\n"
        "dataansvarlig,9901,Solbakken barnehage,staff\n",
    )
    body = preview.content.decode()
    assert "Rad 2: Du kan ikke endre dine egne medlemskap («dataansvarlig»)." in body
    assert not Membership.objects.filter(unit=cast.kindergarten).exists()


def test_imported_bti_role_is_pending_and_recorded(cast, client):
    login(client, cast, "data_admin")
    preview = upload(
        client,
        "membership",
        "brukernavn,kommunenummer,enhet,rolle\nfolkevalgt,9901,Solvik SFO,staff\n",
    )
    assert confirm(client, "membership", preview).status_code == 302
    membership = Membership.objects.get(user=cast["elected_official"], unit=cast.sfo)
    assert membership.pending
    assert membership.granted_by == cast["data_admin"]
    forget_access(cast["elected_official"])
    assert not access_for(cast["elected_official"]).has_role(Role.STAFF)
    change = MembershipChange.objects.get(subject=cast["elected_official"])
    assert change.action == MembershipAction.GRANTED
    assert change.actor == cast["data_admin"]
    assert change.role == Role.STAFF
    assert change.unit_name == "Solvik SFO"
    assert change.after["pending"] is True


# --- The import of units ----------------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        "9902,Inntrenger skole,skole,,,1",  # another municipality
        "9901,Inntrenger SFO,sfo,Nabovik skole,,1",  # another municipality's unit as parent
    ],
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_unit_import_refuses_other_municipality_in_both_steps(cast, row, dry_run):
    before = list(Unit.objects.order_by("pk").values_list("pk", "name", "municipality_id"))
    dataset = tablib.Dataset(
        headers=[
            "kommunenummer",
            "navn",
            "type",
            "overordnet_enhet",
            "organisasjonsnummer",
            "aktiv",
        ]
    )
    dataset.append(row.split(","))
    result = UnitResource(user=cast["data_admin"]).import_data(dataset, dry_run=dry_run)
    assert result.has_validation_errors() or result.has_errors()
    assert list(Unit.objects.order_by("pk").values_list("pk", "name", "municipality_id")) == before


@pytest.mark.parametrize("persona", [p for p in ALL if p != "data_admin"])
@pytest.mark.parametrize("model", ["unit", "membership"])
def test_only_data_admins_reach_the_imports(cast, client, persona, model):
    before = snapshot()
    login(client, cast, persona)
    response = upload(
        client, model, "brukernavn,kommunenummer,enhet,rolle\nfolkevalgt,9901,Solvik SFO,staff\n"
    )
    if persona == "other_municipality":
        # Their own admin; the row names our municipality, which they do not see.
        assert 'name="import_file_name"' not in response.content.decode()
    else:
        assert response.status_code in {302, 403}
    assert snapshot() == before


# --- The user admin: every persona, every attacker target --------------------------------


def _user_pages(user):
    return {
        "change": reverse("admin:auth_user_change", args=[user.pk]),
        "password": reverse("admin:auth_user_password_change", args=[user.pk]),
        "delete": reverse("admin:auth_user_delete", args=[user.pk]),
    }


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize(
    "target",
    ["superuser", "member_superuser", "staff_flag", "own", "other_municipality", "no_membership"],
)
def test_out_of_reach_users_are_not_found_in_any_admin_page(cast, targets, client, persona, target):
    victim = cast[persona] if target == "own" and persona != "anonymous" else targets.get(target)
    if victim is None:
        victim = targets["superuser"]
    before = snapshot()
    login(client, cast, persona)
    for name, url in _user_pages(victim).items():
        assert client.get(url).status_code in {302, 403, 404}, (name, persona, target)
    client.post(
        _user_pages(victim)["password"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    client.post(
        _user_pages(victim)["change"],
        {"username": victim.username, "email": "angriper@example.com", "is_superuser": "on"},
    )
    client.post(_user_pages(victim)["delete"], {"post": "yes"})
    assert snapshot() == before


def test_data_admin_list_hides_superusers_staff_outsiders_and_self(cast, targets, client):
    login(client, cast, "data_admin")
    body = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert ">folkevalgt</a>" in body
    for hidden in (
        "superbruker",
        "super-medlem",
        "stab",
        "nabo-data",
        "uten-rolle",
        "dataansvarlig",
    ):
        assert f">{hidden}</a>" not in body, hidden


def test_data_admin_sets_password_of_plain_member_only(cast, targets, client):
    login(client, cast, "data_admin")
    reachable, reader = targets["reachable"], targets["bti_reader"]
    ok = client.post(
        reverse("admin:auth_user_password_change", args=[reachable.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    reachable.refresh_from_db()
    assert reachable.check_password(NEW_PASSWORD)
    # Someone who reads BTI logs resets their own password by e-mail.
    refused = client.post(
        reverse("admin:auth_user_password_change", args=[reader.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert refused.status_code == 403
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_data_admin_cannot_change_the_email_of_a_bti_reader(cast, targets, client):
    login(client, cast, "data_admin")
    reader = targets["bti_reader"]
    page = client.get(reverse("admin:auth_user_change", args=[reader.pk]))
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()


# --- Memberships in the admin ----------------------------------------------------------


def _membership_form(user, unit, role, municipality):
    return {
        "user": user.pk,
        "municipality": municipality.pk,
        "unit": unit.pk if unit else "",
        "role": role,
    }


@pytest.mark.parametrize("persona", ALL)
def test_nobody_grants_themselves_a_unit_leadership(cast, client, persona):
    before = snapshot()
    login(client, cast, persona)
    me = cast["data_admin"] if persona == "anonymous" else cast[persona]
    client.post(
        reverse("admin:plans_membership_add"),
        _membership_form(me, cast.school, Role.UNIT_LEADER, cast.municipality),
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    "target", ["superuser", "member_superuser", "staff_flag", "other_municipality", "no_membership"]
)
def test_data_admin_cannot_grant_to_out_of_reach_users(cast, targets, client, target):
    before = snapshot()
    login(client, cast, "data_admin")
    response = client.post(
        reverse("admin:plans_membership_add"),
        _membership_form(targets[target], None, Role.ELECTED_OFFICIAL, cast.municipality),
    )
    assert response.status_code == 200  # the form again, with the error
    assert (
        "Velg et gyldig valg" in response.content.decode() or "gyldig" in response.content.decode()
    )
    assert snapshot() == before


def test_data_admin_does_not_see_or_change_own_or_staff_memberships(cast, targets, client):
    login(client, cast, "data_admin")
    own = Membership.objects.get(user=cast["data_admin"])
    staff_flag = Membership.objects.get(user=targets["staff_flag"])
    listed = client.get(reverse("admin:plans_membership_changelist")).context["cl"].result_list
    assert own not in listed
    assert staff_flag not in listed
    assert Membership.objects.get(user=cast["elected_official"]) in listed
    before = snapshot()
    for membership in (own, staff_flag):
        url = reverse("admin:plans_membership_change", args=[membership.pk])
        assert client.get(url).status_code == 302
        client.post(
            url,
            _membership_form(cast["data_admin"], cast.school, Role.UNIT_LEADER, cast.municipality),
        )
        client.post(reverse("admin:plans_membership_delete", args=[membership.pk]), {"post": "yes"})
    client.post(
        reverse("admin:plans_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, staff_flag.pk], "post": "yes"},
    )
    assert snapshot() == before


def test_data_admin_cannot_grant_through_the_user_inline_on_own_account(cast, client):
    """The own account is not in the user admin at all, so its inline cannot be posted."""
    login(client, cast, "data_admin")
    before = snapshot()
    response = client.post(
        reverse("admin:auth_user_change", args=[cast["data_admin"].pk]),
        {
            "username": "dataansvarlig",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-municipality": cast.municipality.pk,
            "memberships-0-unit": cast.school.pk,
            "memberships-0-role": Role.UNIT_LEADER,
        },
    )
    assert response.status_code == 302
    assert snapshot() == before


def test_superuser_cannot_change_own_memberships_in_the_inline(cast, targets, client):
    superuser = targets["superuser"]
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[superuser.pk]))
    assert page.status_code == 200
    assert 'name="memberships-0-role"' not in page.content.decode()


def test_admin_grant_of_unit_leadership_is_pending_until_a_sector_leader_confirms(cast, client):
    bti = build_bti(cast)
    grantee = cast["elected_official"]
    login(client, cast, "data_admin")
    response = client.post(
        reverse("admin:plans_membership_add"),
        _membership_form(grantee, cast.school, Role.UNIT_LEADER, cast.municipality),
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=grantee, role=Role.UNIT_LEADER)
    assert membership.pending
    assert membership.granted_by == cast["data_admin"]
    forget_access(grantee)
    assert not ConcernCase.objects.visible_to(grantee).filter(pk=bti.case.pk).exists()
    assert not grantee.has_perm("btitracker.use_bti")

    # The grantee is told on their home page.
    login(client, cast, "elected_official")
    home = client.get(reverse("home")).content.decode()
    assert "venter på godkjenning fra en sektorleder" in home

    login(client, cast, "sector_leader")
    assert client.post(reverse("plans:membership-confirm", args=[membership.pk])).status_code == 302
    membership.refresh_from_db()
    assert not membership.pending
    assert membership.confirmed_by == cast["sector_leader"]
    grantee = User.objects.get(pk=grantee.pk)
    assert ConcernCase.objects.visible_to(grantee).filter(pk=bti.case.pk).exists()
    actions = list(
        MembershipChange.objects.filter(subject=grantee)
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        (MembershipAction.GRANTED, cast["data_admin"].pk),
        (MembershipAction.CONFIRMED, cast["sector_leader"].pk),
    ]


def test_superuser_grants_are_pending_too(cast, targets, client):
    client.force_login(targets["superuser"])
    client.post(
        reverse("admin:plans_membership_add"),
        _membership_form(cast["elected_official"], cast.school, Role.STAFF, cast.municipality),
    )
    assert Membership.objects.get(user=cast["elected_official"], role=Role.STAFF).pending


def test_changing_a_role_to_a_bti_role_makes_it_pending_again(cast, client):
    membership = Membership.objects.get(user=cast["elected_official"])
    login(client, cast, "data_admin")
    response = client.post(
        reverse("admin:plans_membership_change", args=[membership.pk]),
        _membership_form(cast["elected_official"], None, Role.BTI_COORDINATOR, cast.municipality),
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.BTI_COORDINATOR
    assert membership.pending
    change = MembershipChange.objects.get(subject=cast["elected_official"])
    assert change.action == MembershipAction.CHANGED
    assert change.before["role"] == Role.ELECTED_OFFICIAL
    assert change.after["role"] == Role.BTI_COORDINATOR


def test_revocations_are_recorded_also_by_the_bulk_action(cast, client):
    membership = Membership.objects.get(user=cast["elected_official"])
    login(client, cast, "data_admin")
    client.post(
        reverse("admin:plans_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    change = MembershipChange.objects.get(subject=cast["elected_official"])
    assert change.action == MembershipAction.REVOKED
    assert change.actor == cast["data_admin"]


def test_new_user_from_the_admin_gets_a_pending_staff_role(cast, client):
    login(client, cast, "data_admin")
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nyansatt",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-municipality": cast.municipality.pk,
            "memberships-0-unit": cast.school.pk,
            "memberships-0-role": Role.STAFF,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user__username="nyansatt")
    assert membership.pending
    assert membership.role == Role.STAFF


# --- Four eyes in the portal ------------------------------------------------------------


@pytest.fixture
def pending_grant(cast):
    return MembershipFactory(
        user=cast["elected_official"],
        municipality=cast.municipality,
        unit=cast.school,
        role=Role.UNIT_LEADER,
        pending=True,
        granted_by=cast["data_admin"],
    )


@pytest.mark.parametrize("persona", ALL)
def test_review_page_is_for_sector_leaders(cast, client, pending_grant, persona):
    login(client, cast, persona)
    response = client.get(reverse("plans:membership-review"))
    expected = {"sector_leader": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected
    if expected == 200:
        assert "folkevalgt" in response.content.decode()


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_only_another_sector_leader_decides(cast, client, pending_grant, persona, decision):
    before = snapshot()
    login(client, cast, persona)
    response = client.post(reverse(f"plans:membership-{decision}", args=[pending_grant.pk]))
    if persona == "sector_leader":
        assert response.status_code == 302
        assert snapshot() != before
    else:
        assert response.status_code in {302, 403, 404}
        assert snapshot() == before


def test_grantor_and_grantee_cannot_confirm_even_as_sector_leaders(cast, client, pending_grant):
    # The data admin is a sector leader too, and granted the role: not theirs to confirm.
    MembershipFactory(
        user=cast["data_admin"], municipality=cast.municipality, role=Role.SECTOR_LEADER
    )
    # The grantee's own sector leadership does not let them confirm their own grant.
    MembershipFactory(
        user=cast["elected_official"], municipality=cast.municipality, role=Role.SECTOR_LEADER
    )
    for persona in ("data_admin", "elected_official"):
        login(client, cast, persona)
        response = client.post(reverse("plans:membership-confirm", args=[pending_grant.pk]))
        assert response.status_code == 404, persona
        pending_grant.refresh_from_db()
        assert pending_grant.pending


def test_other_municipalitys_sector_leader_cannot_confirm(cast, client, pending_grant):
    outsider = UserFactory(username="nabo-leder")
    MembershipFactory(user=outsider, municipality=cast.other_municipality, role=Role.SECTOR_LEADER)
    client.force_login(outsider)
    assert (
        client.post(reverse("plans:membership-confirm", args=[pending_grant.pk])).status_code == 404
    )
    pending_grant.refresh_from_db()
    assert pending_grant.pending
    assert "folkevalgt" not in client.get(reverse("plans:membership-review")).content.decode()


def test_a_pending_sector_leader_cannot_confirm(cast, client, pending_grant):
    """A data admin's made-up sector leader is itself pending, and confirms nothing."""
    accomplice = UserFactory(username="medhjelper")
    MembershipFactory(
        user=accomplice, municipality=cast.municipality, role=Role.SECTOR_LEADER, pending=True
    )
    client.force_login(accomplice)
    assert (
        client.post(reverse("plans:membership-confirm", args=[pending_grant.pk])).status_code == 403
    )
    pending_grant.refresh_from_db()
    assert pending_grant.pending


def test_reject_removes_the_grant_and_the_log_says_who(cast, client, pending_grant):
    login(client, cast, "sector_leader")
    client.post(reverse("plans:membership-reject", args=[pending_grant.pk]))
    assert not Membership.objects.filter(pk=pending_grant.pk).exists()
    change = MembershipChange.objects.get(action=MembershipAction.REJECTED)
    assert change.actor == cast["sector_leader"]
    assert change.subject == cast["elected_official"]
    page = client.get(reverse("plans:membership-review") + "?action=rejected").content.decode()
    assert "Avvist" in page
    assert "folkevalgt" in page


def test_change_log_is_filtered_and_scoped(cast, client):
    from plans.services import organisation

    organisation.membership_save(
        membership=Membership(
            user=cast["elected_official"],
            municipality=cast.municipality,
            unit=cast.sfo,
            role=Role.STAFF,
        ),
        actor=cast["data_admin"],
    )
    login(client, cast, "sector_leader")
    page = client.get(reverse("plans:membership-review") + "?role=staff&q=folkevalgt")
    assert page.status_code == 200
    assert "Solvik SFO" in page.content.decode()
    empty = client.get(reverse("plans:membership-review") + "?action=revoked").content.decode()
    assert "Ingen endringer passer med filteret." in empty
    # Another municipality's data admin's sector leader sees none of it.
    assert not MembershipChange.objects.visible_to(cast["other_municipality"]).exists()


def test_review_page_queries_do_not_grow_with_rows(cast, client, django_assert_max_num_queries):
    from plans.services import organisation

    login(client, cast, "sector_leader")
    for index in range(30):
        user = UserFactory(username=f"ny-{index}")
        MembershipFactory(user=user, municipality=cast.municipality, role=Role.ELECTED_OFFICIAL)
        organisation.membership_save(
            membership=Membership(
                user=user, municipality=cast.municipality, unit=cast.school, role=Role.STAFF
            ),
            actor=cast["data_admin"],
        )
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plans:membership-review"))
    assert response.status_code == 200
    assert response.content.decode().count("Godkjenn") >= 30


# --- The services themselves ------------------------------------------------------------


@pytest.mark.parametrize("who", ["data_admin", "superuser"])
def test_services_refuse_changes_to_own_memberships(cast, targets, who):
    from django.core.exceptions import PermissionDenied

    from plans.services import organisation

    actor = targets["superuser"] if who == "superuser" else cast["data_admin"]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        organisation.membership_save(
            membership=Membership(
                user=actor, municipality=cast.municipality, unit=cast.school, role=Role.UNIT_LEADER
            ),
            actor=actor,
        )
    if who == "data_admin":
        with pytest.raises(PermissionDenied):
            organisation.membership_revoke(
                membership=Membership.objects.get(user=actor), actor=actor
            )
    assert snapshot() == before


def test_services_refuse_a_data_admin_outside_their_reach(cast, targets):
    from django.core.exceptions import PermissionDenied

    from plans.services import organisation

    before = snapshot()
    for name in ("superuser", "staff_flag", "no_membership"):
        with pytest.raises(PermissionDenied):
            organisation.membership_save(
                membership=Membership(
                    user=targets[name], municipality=cast.municipality, role=Role.DATA_ADMIN
                ),
                actor=cast["data_admin"],
            )
    assert snapshot() == before


def test_a_pending_staff_member_is_not_offered_for_a_bti_team(cast):
    from btitracker.forms import _people
    from btitracker.permissions import works_in

    newcomer = UserFactory(username="nykommer")
    MembershipFactory(
        user=newcomer,
        municipality=cast.municipality,
        unit=cast.school,
        role=Role.STAFF,
        pending=True,
    )
    assert not works_in(user=newcomer, unit=cast.school)
    assert newcomer not in _people(cast.municipality.pk)
    assert cast["staff"] in _people(cast.municipality.pk)
    assert works_in(user=cast["staff"], unit=cast.school)


@pytest.mark.parametrize("persona", ALL)
def test_change_log_in_the_admin_is_read_only_and_for_superusers(cast, targets, client, persona):
    from plans.services import organisation

    change_owner = Membership.objects.get(user=cast["elected_official"])
    organisation.membership_revoke(membership=change_owner, actor=cast["data_admin"])
    change = MembershipChange.objects.get()
    login(client, cast, persona)
    listing = client.get(reverse("admin:plans_membershipchange_changelist"))
    assert listing.status_code in {302, 403}
    client.post(reverse("admin:plans_membershipchange_delete", args=[change.pk]), {"post": "yes"})
    assert MembershipChange.objects.filter(pk=change.pk).exists()
    client.force_login(targets["superuser"])
    assert client.get(reverse("admin:plans_membershipchange_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:plans_membershipchange_delete", args=[change.pk])).status_code
        == 403
    )
    assert client.get(reverse("admin:plans_membershipchange_add")).status_code == 403


@pytest.mark.parametrize("persona", [p for p in ALL if p != "data_admin"])
def test_other_personas_cannot_touch_a_membership_in_the_admin(cast, client, persona):
    """Another user's membership by id, as everyone but the municipality's data admin."""
    membership = Membership.objects.get(user=cast["elected_official"])
    before = snapshot()
    login(client, cast, persona)
    change = reverse("admin:plans_membership_change", args=[membership.pk])
    delete = reverse("admin:plans_membership_delete", args=[membership.pk])
    for url in (change, delete):
        assert client.get(url).status_code in {302, 403}, url
    # Another municipality's data admin has an admin of their own; everyone else none.
    add_status = client.get(reverse("admin:plans_membership_add")).status_code
    assert add_status in ({200} if persona == "other_municipality" else {302, 403})
    client.post(
        change,
        _membership_form(
            cast["elected_official"], cast.school, Role.UNIT_LEADER, cast.municipality
        ),
    )
    client.post(delete, {"post": "yes"})
    assert snapshot() == before
    assert not MembershipChange.objects.exists()
