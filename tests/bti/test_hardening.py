"""Issue 13: bounded texts and PDF renders, ids beyond bigint, one identity per child,
and the access log as evidence (denied events on the log, logins, memberships, a keyed
and checkpointed chain)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from btitracker import audit, forms
from btitracker.crypto import child_lookup_hash
from btitracker.models import AccessEvent, CaseStatus, Child, LogEntry
from btitracker.services import cases as services
from documents.pdf import PdfRenderTimeout, render_pdf
from plans.models import Role, Unit
from tests.bti.helpers import CHILD_BIRTH, CHILD_NAME, VIEWS_POST, login_verified
from tests.factories import MembershipFactory, UserFactory

User = get_user_model()

MIB_NOTE = "x" * (1024 * 1024)
TOO_BIG = 2**63
RLO = "\u202e"


# --- 3. Bounded input ------------------------------------------------------------------------


def test_a_one_mib_note_is_refused_by_the_form(cast, bti):
    form = forms.TextForm({"text": MIB_NOTE})
    assert not form.is_valid()
    assert "10" in form.errors["text"][0]


def test_a_one_mib_note_is_refused_by_the_service_and_nothing_is_written(cast, bti):
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.entry_add(actor=cast["staff"], case=bti.case, text=MIB_NOTE)
    assert "Notat" in caught.value.message_dict["text"][0]
    assert LogEntry.objects.count() == before


def test_a_one_mib_note_is_refused_by_the_database(cast, bti):
    entry = services.entry_add(actor=cast["staff"], case=bti.case, text="Kort notat.")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE btitracker_logentry SET text = %s WHERE id = %s", [MIB_NOTE, entry.pk]
        )


def test_a_one_mib_note_posted_to_the_page_gets_a_norwegian_error(cast, client, bti):
    login_verified(client, cast["staff"])
    before = LogEntry.objects.count()
    response = client.post(reverse("bti:case-entry-add", args=[bti.case.pk]), {"text": MIB_NOTE})
    assert response.status_code == 400
    assert "tegn" in response.content.decode()
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    "call",
    [
        lambda cast, bti: services.goal_add(actor=cast["staff"], case=bti.case, text="m" * 2001),
        lambda cast, bti: services.handover_propose(
            actor=cast["staff"],
            case=bti.case,
            to_holder=bti.kg_staff,
            to_unit=cast.kindergarten,
            note="n" * 2001,
        ),
        lambda cast, bti: services.concern_create(
            actor=cast["staff"],
            unit=cast.school,
            observation="o" * 10_001,
            band=services.concern_bands_ensure(municipality=cast.municipality)[0],
        ),
        lambda cast, bti: services.guardian_add(
            actor=cast["staff"], case=bti.case, name="Fiktiv", contact="c" * 201
        ),
    ],
    ids=["goal", "handover-note", "observation", "guardian-contact"],
)
def test_every_free_text_has_a_limit_in_the_service(cast, bti, call):
    with pytest.raises(ValidationError, match="kan ikke være lengre"):
        call(cast, bti)


def test_a_pdf_over_its_time_limit_is_stopped_with_a_norwegian_message(settings):
    settings.PDF_RENDER_TIMEOUT = 0.001
    with pytest.raises(PdfRenderTimeout, match="tok for lang tid"):
        render_pdf("btitracker/pdf/access_history.html", {"events": [], "case": None})


def test_closing_stays_undone_when_the_archive_render_times_out(cast, client, bti, settings):
    login_verified(client, cast["staff"])
    settings.PDF_RENDER_TIMEOUT = 0.001
    closes_before = AccessEvent.objects.filter(action="close").count()
    response = client.post(reverse("bti:case-close", args=[bti.case.pk]), VIEWS_POST, follow=True)
    assert response.status_code == 200
    assert "ikke avsluttet" in response.content.decode()
    assert "tok for lang tid" in response.content.decode()
    bti.case.refresh_from_db()
    assert bti.case.status == CaseStatus.OPEN
    assert bti.case.archive is None
    assert AccessEvent.objects.filter(action="close").count() == closes_before


def test_a_pdf_within_its_limit_is_made_in_the_child_process(cast, bti, settings):
    settings.PDF_RENDER_TIMEOUT = 120
    content = services.case_printout_render(case=bti.case)
    assert content.startswith(b"%PDF")


# --- 4. Ids beyond bigint ---------------------------------------------------------------------


def _bti_id_urls() -> list[tuple[str, str]]:
    """Every BTI URL with an id, each id replaced by 2**63."""
    resolver = get_resolver()
    found = []
    app = next(p for p in resolver.url_patterns if getattr(p, "namespace", "") == "bti")
    prefix = str(app.pattern)
    for pattern in app.url_patterns:
        if isinstance(pattern, URLPattern) and "<id:" in str(pattern.pattern):
            path = re.sub(r"<id:\w+>", str(TOO_BIG), str(pattern.pattern))
            found.append((pattern.name, "/" + prefix + path))
    return found


def test_every_bti_url_with_an_id_is_checked():
    names = {name for name, _path in _bti_id_urls()}
    assert {"case-detail", "concern-detail", "handover-accept", "case-team-remove"} <= names
    # 22 of the log's pages (with fodsel/), 4 of the handbook's, 5 of the consultation
    # meetings'.
    assert len(names) == 31


@pytest.mark.parametrize("name_and_path", _bti_id_urls(), ids=lambda item: item[0])
def test_ids_beyond_bigint_are_404_with_a_denied_event(cast, client, bti, name_and_path):
    _name, path = name_and_path
    user = cast["staff"]
    login_verified(client, user)
    for method in (client.get, client.post):
        before = AccessEvent.objects.filter(actor_id=user.pk, outcome="avvist").count()
        response = method(path)
        assert response.status_code == 404, path
        denied = AccessEvent.objects.filter(actor_id=user.pk, outcome="avvist")
        assert denied.count() == before + 1, path
        assert denied.last().object_id is None
    _audit_ok, broken = audit.verify_chain()
    assert broken is None


def _all_id_paths(patterns=None, prefix=""):
    """Every URL of the portal with an ``<id:…>``, each id 2**63."""
    from django.urls import URLResolver

    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _all_id_paths(pattern.url_patterns, route)
        elif "<id:" in route:
            found.append("/" + re.sub(r"<id:\w+>", str(TOO_BIG), route))
    return found


def test_every_app_gives_404_for_ids_beyond_bigint(cast, client):
    paths = _all_id_paths()
    assert any(path.startswith("/plans/units/") for path in paths)
    assert len(paths) >= 80
    client.force_login(cast["sector_leader"])
    for path in paths:
        if path.startswith("/bti/"):
            continue  # above, with the second factor
        assert client.get(path).status_code == 404, path


# --- 5. One child, one identity ---------------------------------------------------------------


def _concern(cast, name, birth_date=CHILD_BIRTH):
    return services.concern_create(
        actor=cast["staff"],
        unit=cast.school,
        observation="Fiktiv observasjon.",
        band=services.concern_bands_ensure(municipality=cast.municipality)[0],
        child_name=name,
        birth_date=birth_date,
    )


def test_a_zero_width_space_does_not_make_a_second_child(cast, bti):
    children = Child.objects.count()
    concern = _concern(cast, "Fiktiv\u200b Testesen")
    assert concern.child == bti.case.child
    concern = _concern(cast, "fiktiv\u00a0 TESTESEN\ufeff")
    assert concern.child == bti.case.child
    assert Child.objects.count() == children


def test_a_decomposed_name_is_the_same_child(cast):
    first = _concern(cast, "Åse René").child
    second = _concern(cast, "A\u030ase Rene\u0301").child
    assert first == second
    assert first.name == "Åse René"


def test_a_right_to_left_override_is_refused_in_the_child_form_and_service(cast):
    form = forms.ConcernForm(
        {"child_name": f"Kari {RLO}nesøverP", "birth_date": "2016-03-14"},
        user=cast["staff"],
        bands=services.concern_bands_ensure(municipality=cast.municipality),
    )
    assert not form.is_valid()
    assert "U+202E" in form.errors["child_name"][0]
    with pytest.raises(ValidationError, match="styretegn"):
        _concern(cast, f"Kari {RLO}nesøverP")
    assert not forms.SearchForm({"child_name": "Kari\x00", "birth_date": "2016-03-14"}).is_valid()


def test_a_right_to_left_override_is_refused_in_the_guardian_and_consent_forms(cast, bti):
    assert "name" in forms.GuardianForm({"name": f"{RLO}Fiktiv"}).errors
    with pytest.raises(ValidationError, match="styretegn"):
        services.guardian_add(actor=cast["staff"], case=bti.case, name=f"Fiktiv{RLO} Forelder")


def test_a_right_to_left_override_is_refused_in_the_unit_name(cast):
    from plans.services import organisation

    unit = Unit(municipality=cast.municipality, name=f"Solvik {RLO}elok", kind="skole")
    with pytest.raises(ValidationError) as caught:
        organisation.unit_save(unit=unit)
    assert "U+202E" in caught.value.message_dict["name"][0]
    spaced = Unit(municipality=cast.municipality, name="Ny\u200b  skole ", kind="skole")
    organisation.unit_save(unit=spaced)
    assert spaced.name == "Ny skole"


def test_a_right_to_left_override_is_refused_in_the_unit_admin(cast, client):
    client.force_login(UserFactory(username="super", is_superuser=True, is_staff=True))
    response = client.post(
        reverse("admin:plans_unit_add"),
        {
            "municipality": cast.municipality.pk,
            "name": f"Solvik {RLO}elok",
            "kind": "skole",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    assert not Unit.objects.filter(name__contains=RLO).exists()


def test_a_right_to_left_override_is_refused_in_the_user_name_form(cast):
    from plans.forms import PortalUserChangeForm

    user = cast["staff"]
    data = {
        "username": user.username,
        "first_name": f"Kari{RLO}",
        "last_name": "Nor\u200bdmann",
        "email": user.email,
        "date_joined": "2026-01-01 00:00:00",
    }
    form = PortalUserChangeForm(data, instance=user)
    assert not form.is_valid()
    assert "first_name" in form.errors
    data["first_name"] = "Kari"
    form = PortalUserChangeForm(data, instance=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["last_name"] == "Nordmann"


def test_the_unit_import_refuses_a_right_to_left_override(cast):
    import tablib

    from plans.resources import UnitResource

    admin = cast["data_admin"]
    dataset = tablib.Dataset(headers=["kommunenummer", "navn", "type", "aktiv"])
    dataset.append([cast.municipality.number, f"Ny {RLO}elok", "skole", "ja"])
    result = UnitResource(user=admin).import_data(dataset, dry_run=True)
    assert result.has_validation_errors() or result.has_errors()
    assert not Unit.objects.filter(name__contains=RLO).exists()


@pytest.mark.parametrize(
    ("offset_days", "ok"),
    [(-25 * 366 - 2, False), (-25 * 365 + 10, True), (250, True), (300, False)],
)
def test_birth_dates_outside_a_plausible_range_are_refused(cast, offset_days, ok):
    birth = timezone.localdate() + datetime.timedelta(days=offset_days)
    if ok:
        assert _concern(cast, "Fiktiv Ventebarn", birth).child.birth_date == birth
    else:
        with pytest.raises(ValidationError, match="Fødselsdatoen"):
            _concern(cast, "Fiktiv Ventebarn", birth)


def test_rehash_command_finds_children_stored_with_the_old_rules(cast):
    old_style_name = "Fiktiv\u200bOld Barnesen"
    child = Child.objects.create(
        municipality=cast.municipality,
        name=old_style_name,
        birth_date=CHILD_BIRTH,
        lookup_hash="f" * 64,  # what the old normalisation gave
    )
    call_command("rehash_bti_children")
    child.refresh_from_db()
    assert child.name == "FiktivOld Barnesen"
    assert child.lookup_hash == child_lookup_hash("FiktivOld Barnesen", CHILD_BIRTH)
    assert _concern(cast, "fiktivold barnesen").child == child
    call_command("rehash_bti_children")  # again: nothing to do


def test_rehash_command_names_children_that_turn_out_to_be_one(cast):
    first = _concern(cast, "Fiktiv Dobbel").child
    twin = Child.objects.create(
        municipality=cast.municipality,
        name="Fiktiv\u200b Dobbel",
        birth_date=CHILD_BIRTH,
        lookup_hash="e" * 64,
    )
    with pytest.raises(CommandError, match=f"{first.pk} og {twin.pk}"):
        call_command("rehash_bti_children")


# --- 6. The access log as evidence ------------------------------------------------------------


def test_a_denied_attempt_carries_the_case_and_shows_in_its_access_history(cast, client, bti):
    login_verified(client, bti.outsider)
    assert client.get(reverse("bti:case-detail", args=[bti.case.pk])).status_code == 404
    event = AccessEvent.objects.filter(actor_id=bti.outsider.pk, outcome="avvist").last()
    assert event.case_id == bti.case.pk
    assert event.municipality_id == bti.case.municipality_id
    login_verified(client, cast["unit_leader"])
    page = client.get(reverse("bti:case-access-log", args=[bti.case.pk])).content.decode()
    assert bti.outsider.get_full_name() or bti.outsider.username in page
    assert "forsøkte å åpne" in page


def test_a_denied_attempt_on_a_concern_that_became_a_log_lands_on_the_log(cast, client, bti):
    login_verified(client, bti.outsider)
    client.get(reverse("bti:concern-detail", args=[bti.concern.pk]))
    event = AccessEvent.objects.filter(actor_id=bti.outsider.pk, outcome="avvist").last()
    assert event.object_type == "concern"
    assert event.case_id == bti.case.pk


def test_an_account_without_membership_is_refused_and_logged(cast, client, bti):
    lonely = cast["no_membership"]
    client.force_login(lonely)
    response = client.get(reverse("bti:case-detail", args=[bti.case.pk]))
    assert response.status_code == 403
    event = AccessEvent.objects.filter(actor_id=lonely.pk).last()
    assert (event.outcome, event.object_type, event.case_id) == (
        "avvist",
        "concerncase",
        bti.case.pk,
    )
    assert client.get(reverse("bti:home")).status_code == 403
    assert AccessEvent.objects.filter(actor_id=lonely.pk).count() == 2


def test_a_wrong_totp_code_at_login_is_logged(cast, client, bti):
    user = cast["staff"]
    login_verified(client, user)  # has a device now
    client.logout()
    client.force_login(user)
    response = client.post(reverse("bti:otp-verify"), {"token": "000000"})
    assert response.status_code == 400
    event = AccessEvent.objects.filter(actor_id=user.pk).last()
    assert (event.action, event.outcome) == ("otp_login_wrong", "avvist")


def test_membership_changes_are_on_the_access_log(cast, client):
    admin = cast["data_admin"]
    person = UserFactory(username="ny-ansatt")
    membership = MembershipFactory(
        user=person, municipality=cast.municipality, unit=cast.school, role=Role.STAFF
    )
    saved = AccessEvent.objects.filter(action="membership_saved").last()
    assert (saved.object_type, saved.object_id) == ("membership:staff", person.pk)
    membership.role = Role.UNIT_LEADER
    membership.save()
    changed = AccessEvent.objects.filter(action="membership_saved").last()
    assert changed.object_type == "membership:unit_leader"
    membership.delete()
    deleted = AccessEvent.objects.filter(action="membership_deleted").last()
    assert (deleted.object_type, deleted.object_id) == ("membership:unit_leader", person.pk)
    assert admin.pk not in {saved.actor_id, deleted.actor_id}  # no request: no actor
    assert audit.verify_chain()[1] is None


def test_a_membership_change_through_a_request_names_who_made_it(cast, client):
    from btitracker.signals import RequestMiddleware

    admin = cast["data_admin"]

    class Request:
        user = admin
        META = {"REMOTE_ADDR": "192.0.2.7"}

    def view(request):
        return MembershipFactory(
            user=UserFactory(username="via-nett"),
            municipality=cast.municipality,
            unit=cast.school,
            role=Role.STAFF,
        )

    RequestMiddleware(view)(Request())
    event = AccessEvent.objects.filter(action="membership_saved").last()
    assert (event.actor_id, event.ip_address) == (admin.pk, "192.0.2.7")


def _delete_rows_after(pk: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE btitracker_accessevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM btitracker_accessevent WHERE id > %s", [pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE btitracker_accessevent ENABLE TRIGGER USER")


def test_deleting_the_last_rows_is_caught_by_the_checkpoint(cast, bti):
    keep = AccessEvent.objects.order_by("-pk")[3].pk
    call_command("audit_checkpoint")
    call_command("verify_audit_chain")
    _delete_rows_after(keep)
    _checked, broken = audit.verify_chain()
    assert broken is not None
    assert "slettet" in broken.reason
    with pytest.raises(CommandError, match="slettet"):
        call_command("verify_audit_chain")


def test_deleting_rows_without_a_checkpoint_goes_unnoticed_as_documented(cast, bti):
    keep = AccessEvent.objects.order_by("-pk")[3].pk
    _delete_rows_after(keep)
    assert audit.verify_chain()[1] is None


def _rewrite_tail(rows, change, hasher) -> None:
    """What an attacker with the database does: change ``rows`` (the last ones) and
    recompute their hashes in order with ``hasher``, past the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE btitracker_accessevent DISABLE TRIGGER USER")
        previous = rows[0].previous_hash
        for event in rows:
            change(event)
            new_hash = hasher(previous, audit.row_values(event))
            cursor.execute(
                "UPDATE btitracker_accessevent SET outcome = %s, ip_address = %s, "
                "previous_hash = %s, hash = %s WHERE id = %s",
                [event.outcome, event.ip_address, previous, new_hash, event.pk],
            )
            previous = new_hash
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE btitracker_accessevent ENABLE TRIGGER USER")


def test_recomputing_later_hashes_without_the_key_is_caught(cast, bti):
    """An attacker with the database but not BTI_AUDIT_KEY rewrites a row and recomputes
    every later hash as plain SHA-256 (what the chain used to be)."""
    rows = list(AccessEvent.objects.order_by("pk"))[-3:]
    victim = rows[0]

    def flip(event):
        if event.pk == victim.pk:
            event.outcome = "ok" if event.outcome == "avvist" else "avvist"

    _rewrite_tail(rows, flip, audit.legacy_hash)
    _checked, broken = audit.verify_chain()
    assert broken is not None
    assert broken.event_id == victim.pk


def test_recomputing_with_the_key_is_caught_by_the_checkpoint(cast, bti):
    call_command("audit_checkpoint")
    rows = list(AccessEvent.objects.order_by("pk"))[-2:]
    _rewrite_tail(
        rows, lambda event: setattr(event, "ip_address", "198.51.100.9"), audit.compute_hash
    )
    _checked, broken = audit.verify_chain()
    assert broken is not None
    assert "kontrollpunktet" in broken.reason


def test_a_forged_checkpoint_line_is_refused(cast, bti, audit_checkpoints):
    call_command("audit_checkpoint")
    line = audit_checkpoints.read_text().splitlines()[0].replace('"count":', '"count":1')
    audit_checkpoints.write_text(line + "\n")
    with pytest.raises(CommandError, match="kontrollsum"):
        call_command("verify_audit_chain")


def test_a_legacy_chain_continues_keyed_after_the_marker(cast, bti):
    """Rows written before the key are SHA-256 up to the ``chain_keyed`` marker; a
    marker appended later (or a second one) breaks the chain."""
    last = AccessEvent.objects.order_by("-pk").first()
    marker = AccessEvent(
        at=timezone.now(),
        action=audit.KEYED_MARKER,
        object_type="accessevent",
        object_id=0,
        outcome="ok",
        previous_hash=last.hash,
    )
    marker.hash = audit.compute_hash(marker.previous_hash, audit.row_values(marker))
    marker.save(_append=True)
    # Everything before the marker is now expected to be plain SHA-256, which it is not.
    _checked, broken = audit.verify_chain()
    assert broken is not None


def test_deploy_checks_refuse_the_default_audit_key_and_checkpoint_place(settings):
    from btitracker.checks import bti_keys_set

    settings.BTI_AUDIT_KEY = ""
    settings.BTI_AUDIT_CHECKPOINT_FILE = ""
    ids = {error.id for error in bti_keys_set(None)}
    assert {"btitracker.E004", "btitracker.E005"} <= ids
    settings.BTI_HASH_KEY = "h" * 40
    settings.BTI_AUDIT_KEY = "h" * 40
    assert "btitracker.E004" in {error.id for error in bti_keys_set(None)}
    settings.BTI_AUDIT_KEY = "a" * 40
    settings.BTI_AUDIT_CHECKPOINT_FILE = "/srv/audit/checkpoints"
    ids = {error.id for error in bti_keys_set(None)}
    assert not ids & {"btitracker.E004", "btitracker.E005"}


def test_the_access_log_names_no_child(cast, bti):
    assert not AccessEvent.objects.filter(actor_name__icontains=CHILD_NAME).exists()


def test_an_export_over_its_time_limit_is_a_page_with_the_reason(cast, client, bti, settings):
    login_verified(client, cast["staff"])
    settings.PDF_RENDER_TIMEOUT = 0.001
    response = client.get(reverse("bti:case-export", args=[bti.case.pk]))
    assert response.status_code == 503
    assert "tok for lang tid" in response.content.decode()


def test_a_right_to_left_override_is_refused_in_the_user_admin(cast, client):
    client.force_login(UserFactory(username="super", is_superuser=True, is_staff=True))
    user = cast["staff"]
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": f"Kari{RLO}",
            "last_name": "Nordmann",
            "email": user.email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    user.refresh_from_db()
    assert RLO not in user.first_name
