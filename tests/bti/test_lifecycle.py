"""Closing and archiving, the family's access-history PDF, retention, reminders, the
home panel's overdue flag, and TOTP enrolment."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from btitracker import crypto, reminders
from btitracker.models import AccessEvent, CaseStatus, Child, Concern, ConcernCase
from btitracker.services import cases as services
from tests.bti.helpers import (
    CHILD_NAME,
    VIEWS,
    VIEWS_POST,
    current_token,
    enrol_code_confirm,
    login_verified,
)
from tests.pdf_reading import pdf_text


def test_closing_stores_an_encrypted_archive_pdf_for_the_pupil_file(cast, client, bti):
    login_verified(client, cast["staff"])
    # Closing is a decision: without the child's and the family's view it is refused.
    response = client.post(reverse("bti:case-close", args=[bti.case.pk]))
    assert response.status_code == 400
    assert "Skriv hva familien mener" in response.content.decode()
    assert ConcernCase.objects.get(pk=bti.case.pk).status == CaseStatus.OPEN
    response = client.post(reverse("bti:case-close", args=[bti.case.pk]), VIEWS_POST)
    assert response.status_code == 302
    case = ConcernCase.objects.get(pk=bti.case.pk)
    assert case.status == CaseStatus.CLOSED
    assert case.archive
    assert not bytes(case.archive).startswith(b"%PDF")
    archived = pdf_text(crypto.decrypt_bytes(bytes(case.archive)))
    assert CHILD_NAME in archived
    # The closing decision and the views at it are in the archive.
    assert "friminuttene er det verste" in " ".join(archived.split())
    download = client.get(reverse("bti:case-export", args=[case.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert CHILD_NAME in pdf_text(download.content)
    assert AccessEvent.objects.filter(case_id=case.pk, action="export").exists()


def test_leader_sees_access_history_and_family_pdf_names_who_read(cast, client, bti):
    login_verified(client, bti.nurse)
    client.get(reverse("bti:case-detail", args=[bti.case.pk]))
    client.logout()
    login_verified(client, cast["unit_leader"])
    page = client.get(reverse("bti:case-access-log", args=[bti.case.pk]))
    assert page.status_code == 200
    assert bti.nurse.get_full_name() in page.content.decode()
    pdf = client.get(reverse("bti:case-access-pdf", args=[bti.case.pk]))
    text = pdf_text(pdf.content)
    assert bti.nurse.get_full_name() in text
    assert "Ansatt" in text
    # The holder reads the log but not its access history.
    client.logout()
    login_verified(client, cast["staff"])
    assert client.get(reverse("bti:case-access-log", args=[bti.case.pk])).status_code == 403


def test_retention_deletes_old_closed_logs_and_orphaned_children(cast, bti, settings):
    bti.handover.status = "avslatt"
    bti.handover.save()
    services.case_close(actor=cast["staff"], case=bti.case, views=VIEWS)
    services.retention_apply()
    assert ConcernCase.objects.filter(pk=bti.case.pk).exists()  # not old enough
    settings.BTI_RETENTION_DAYS = 1
    ConcernCase.objects.filter(pk=bti.case.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=2)
    )
    Concern.objects.filter(pk=bti.concern.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=2)
    )
    counts = services.retention_apply()
    assert counts["cases"] == 1
    assert counts["children"] == 1
    assert not Child.objects.exists()
    assert services.retention_apply() == {"cases": 0, "concerns": 0, "children": 0}
    # The access log keeps its rows and stays whole.
    from btitracker.audit import verify_chain

    assert verify_chain()[1] is None
    assert AccessEvent.objects.filter(case_id=bti.case.pk).exists()


def test_reminders_hold_a_link_only_and_are_sent_once_a_day(cast, bti, settings):
    today = timezone.localdate()
    member = bti.case.team.get(user=cast["staff"])
    services.action_add(
        actor=cast["staff"],
        case=bti.case,
        data=services.ActionInput(
            "Fiktivt tiltak", member, today, today + datetime.timedelta(days=1)
        ),
    )
    Concern.objects.filter(pk=bti.pending_concern.pk).update(
        decision_due=today - datetime.timedelta(days=1)
    )
    mail.outbox.clear()
    sent = reminders.reminders_send_daily(today=today)
    assert sent == 2
    assert reminders.reminders_send_daily(today=today) == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([cast["staff"].email, cast["unit_leader"].email])
    for message in mail.outbox:
        text = message.subject + message.body
        assert CHILD_NAME not in text
        assert "Fiktiv" not in text
        assert "Solvik" not in text
        assert re.search(r"http://\S+/bti/(logg|undring)/\d+/", message.body)


def test_home_panel_flags_overdue_decisions(cast, client, bti):
    Concern.objects.filter(pk=bti.pending_concern.pk).update(
        decision_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(cast["unit_leader"])
    body = client.get(reverse("home")).content.decode()
    assert "1 beslutning har passert fristen" in body


@pytest.mark.parametrize(("days_late", "overdue"), [(0, False), (1, True)])
def test_a_decision_is_late_the_day_after_it_is_due_on_every_page(
    cast, client, bti, days_late, overdue
):
    """One rule (``overdue_decision_q``) behind the home panel, the BTI overview's list and
    the concern's own page: due today is not yet late."""
    Concern.objects.filter(pk=bti.pending_concern.pk).update(
        decision_due=timezone.localdate() - datetime.timedelta(days=days_late)
    )
    login_verified(client, cast["unit_leader"])
    home = client.get(reverse("home"))
    overview = client.get(reverse("bti:home"))
    detail = client.get(reverse("bti:concern-detail", args=[bti.pending_concern.pk]))
    assert home.status_code == overview.status_code == detail.status_code == 200
    assert ("1 beslutning har passert fristen" in home.content.decode()) is overdue
    assert ("Forfalt" in overview.content.decode()) is overdue
    assert ("Fristen for beslutning er passert." in detail.content.decode()) is overdue


def test_totp_enrolment_shows_qr_and_secret_and_needs_a_right_code(cast, client):
    client.force_login(cast["staff"])
    page = client.get(reverse("bti:otp-enrol"))
    assert page.status_code == 200
    assert "<svg" not in page.content.decode()  # not before the e-mailed code
    enrol_code_confirm(client, cast["staff"])
    page = client.get(reverse("bti:otp-enrol"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=cast["staff"])
    secret = re.search(r'class="otp-secret">([A-Z2-7]+)<', body).group(1)
    assert len(secret) >= 16
    assert client.post(reverse("bti:otp-enrol"), {"token": "000000"}).status_code in (400, 302)
    device.refresh_from_db()
    if not device.confirmed:
        # The wrong code started django_otp's throttling; a real user would wait.
        device.last_t = -1
        device.throttling_failure_count = 0
        device.throttling_failure_timestamp = None
        device.save()
        response = client.post(reverse("bti:otp-enrol"), {"token": current_token(device)})
        assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("bti:home")).status_code == 200


def test_admin_never_shows_a_totp_secret(cast, client):
    from tests.factories import UserFactory

    device = TOTPDevice.objects.create(user=cast["staff"], name="BTI", confirmed=True)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in (
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert device.key not in response.content.decode()
    client.force_login(cast["data_admin"])
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403


def test_verifying_the_second_factor_gives_a_new_session_id(cast, client):
    from tests.bti.helpers import otp_verify

    client.force_login(cast["staff"])
    before = client.session.session_key
    otp_verify(client, cast["staff"])
    assert client.session.session_key != before
