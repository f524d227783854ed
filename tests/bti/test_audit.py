"""The access log: append-only, hash-chained, serialised, and verified by a command."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from btitracker import audit
from btitracker.models import AccessEvent
from tests.bti.helpers import build_bti, login_verified


def test_every_change_writes_a_chained_event_with_the_pseudonym(cast, bti):
    events = list(AccessEvent.objects.filter(case_id=bti.case.pk))
    assert {e.action for e in events} >= {"create", "consent", "change", "handover"}
    assert all(e.child_pseudonym and "Fiktiv" not in e.child_pseudonym for e in events)
    checked, broken = audit.verify_chain()
    assert broken is None
    assert checked == AccessEvent.objects.count()


def test_events_cannot_be_changed_or_deleted_through_the_orm(cast, bti):
    event = AccessEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().update(outcome="ok")
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_trigger_refuses_update_and_delete(cast, bti):
    from django.db import DatabaseError

    for sql in (
        "UPDATE btitracker_accessevent SET outcome = 'ok'",
        "DELETE FROM btitracker_accessevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_verify_command_reports_the_first_tampered_row(cast, bti):
    call_command("verify_audit_chain")
    victim = AccessEvent.objects.order_by("pk")[3]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE btitracker_accessevent DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE btitracker_accessevent SET actor_name = %s WHERE id = %s",
            ["Noen andre", victim.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE btitracker_accessevent ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match=f"rad {victim.pk}"):
        call_command("verify_audit_chain")


@pytest.mark.django_db(transaction=True)
def test_denied_attempt_survives_the_failing_request(cast, client):
    bti = build_bti(cast)
    login_verified(client, bti.outsider)
    assert client.get(reverse("bti:case-detail", args=[bti.case.pk])).status_code == 404
    # Read on a fresh connection: the event was committed, not left in a rolled-back request.
    assert AccessEvent.objects.filter(
        outcome="avvist", actor_id=bti.outsider.pk, object_id=bti.case.pk
    ).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(cast):
    user = cast["staff"]
    errors = []
    before = AccessEvent.objects.count()  # the cast's memberships are on the log too

    def append(n):
        try:
            for _ in range(n):
                audit.record(actor=user, action="view", object_type="test", object_id=1)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(15,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, broken = audit.verify_chain()
    assert broken is None
    assert checked == before + 60
    assert AccessEvent.objects.values("previous_hash").distinct().count() == before + 60
