"""The e-mailed code before TOTP set-up: whoever has only the password never sees the QR
code or the secret. Mail goes to the locmem outbox (pytest-django's test settings)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from btitracker import audit
from btitracker.models import AccessEvent, EnrolCode
from btitracker.selectors.enrolment import enrol_secret_visible
from btitracker.services import enrolment
from tests.bti.helpers import current_token, enrol_code_confirm, enrol_code_from_outbox
from tests.factories import UserFactory

ENROL = "bti:otp-enrol"


def _client(user) -> Client:
    """A second, separate session."""
    other = Client()
    other.force_login(user)
    return other


def _send(client):
    return client.post(reverse(ENROL), {"step": "send"})


def _enter(client, code):
    return client.post(reverse(ENROL), {"step": "code", "code": code})


def _shows_secret(client) -> bool:
    body = client.get(reverse(ENROL)).content.decode()
    return "<svg" in body or "otp-secret" in body


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


def _allow_new_code(user) -> None:
    """Past the one-per-minute limit, as if a minute had gone."""
    EnrolCode.objects.filter(user=user).update(
        created_at=timezone.now() - datetime.timedelta(minutes=2)
    )


def test_without_the_emailed_code_no_qr_or_secret_is_shown(cast, client):
    user = cast["staff"]
    client.force_login(user)
    page = client.get(reverse(ENROL))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" not in body
    assert "otp-secret" not in body
    assert "Send kode på e-post" in body
    assert "no-store" in page["Cache-Control"]
    assert not TOTPDevice.objects.filter(user=user).exists()
    # Sent, but not entered: still nothing.
    _send(client)
    assert not _shows_secret(client)
    # Nor can a device be confirmed by skipping the e-mail step.
    device = TOTPDevice.objects.create(user=user, name="BTI", confirmed=False)
    response = client.post(reverse(ENROL), {"step": "token", "token": current_token(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_the_code_is_emailed_to_the_users_address_and_only_its_hash_is_stored(cast, client):
    user = cast["staff"]
    client.force_login(user)
    response = _send(client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    code = enrol_code_from_outbox(user.email)
    assert len(code) == 8
    assert "totrinnsinnlogging" in message.body
    row = EnrolCode.objects.get(user=user)
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert code not in stored
    page = client.get(reverse(ENROL)).content.decode()
    assert 'aria-describedby="code-help"' in page
    assert _enter(client, code).status_code == 302
    assert _shows_secret(client)


def test_a_wrong_code_is_refused_in_norwegian(cast, client):
    user = cast["staff"]
    client.force_login(user)
    _send(client)
    code = enrol_code_from_outbox(user.email)
    response = _enter(client, _wrong(code))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Koden stemmer ikke" in body
    assert 'aria-describedby="code-help code-error"' in body
    assert 'aria-invalid="true" autofocus' in body
    assert "<svg" not in body
    assert "otp-secret" not in body
    assert not _shows_secret(client)


def test_five_wrong_tries_lock_the_code_and_a_new_one_can_be_asked_for(cast, client):
    user = cast["staff"]
    client.force_login(user)
    _send(client)
    code = enrol_code_from_outbox(user.email)
    for _ in range(5):
        assert _enter(client, _wrong(code)).status_code == 400
    response = _enter(client, code)
    assert response.status_code == 400
    assert "sperret" in response.content.decode()
    assert not _shows_secret(client)
    # At once: too soon for a new one.
    _send(client)
    assert len(mail.outbox) == 1
    _allow_new_code(user)
    _send(client)
    assert len(mail.outbox) == 2
    assert _enter(client, enrol_code_from_outbox(user.email)).status_code == 302
    assert _shows_secret(client)


def test_an_expired_code_is_refused(cast, client, settings):
    settings.BTI_ENROL_CODE_MINUTES = 1
    user = cast["staff"]
    client.force_login(user)
    _send(client)
    row = EnrolCode.objects.get(user=user)
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=1)
    EnrolCode.objects.filter(pk=row.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = _enter(client, enrol_code_from_outbox(user.email))
    assert response.status_code == 400
    assert "utløpt" in response.content.decode()
    assert not _shows_secret(client)


def test_a_code_works_once_and_only_in_the_session_that_asked_for_it(cast, client):
    user = cast["staff"]
    client.force_login(user)
    _send(client)
    code = enrol_code_from_outbox(user.email)
    # The same user in another session (someone else with the password) cannot use it.
    other = _client(user)
    response = _enter(other, code)
    assert response.status_code == 400
    assert not _shows_secret(other)
    assert _enter(client, code).status_code == 302
    response = _enter(client, code)
    assert response.status_code == 400
    assert "allerede brukt" in response.content.decode()
    assert _enter(other, code).status_code == 400
    # When the window to set up the app has passed, the same code does not open it again.
    EnrolCode.objects.filter(user=user).update(
        used_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert not _shows_secret(client)
    response = _enter(client, code)
    assert response.status_code == 400
    assert "allerede brukt" in response.content.decode()
    assert not _shows_secret(client)
    assert not _shows_secret(other)


def test_another_users_code_does_not_work(cast, client):
    staff, leader = cast["staff"], cast["unit_leader"]
    client.force_login(staff)
    _send(client)
    staff_code = enrol_code_from_outbox(staff.email)
    theirs = _client(leader)
    _send(theirs)
    leader_code = enrol_code_from_outbox(leader.email)
    assert leader_code != staff_code
    response = _enter(theirs, staff_code)
    assert response.status_code == 400
    assert "Koden stemmer ikke" in response.content.decode()
    assert not _shows_secret(theirs)


def test_a_user_without_email_cannot_enrol(cast, client):
    user = UserFactory(username="uten-epost", email="")
    from plans.access import forget_access
    from plans.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, municipality=cast.municipality, unit=cast.school, role=Role.STAFF)
    forget_access(user)
    client.force_login(user)
    page = client.get(reverse(ENROL))
    body = page.content.decode()
    assert page.status_code == 200
    assert "ingen registrert e-postadresse" in body
    assert "dataansvarlig" in body
    assert "<svg" not in body
    assert "otp-secret" not in body
    assert _send(client).status_code == 400
    assert mail.outbox == []
    assert not EnrolCode.objects.filter(user=user).exists()
    assert client.post(reverse(ENROL), {"step": "code", "code": "12345678"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_every_step_is_on_the_access_log_without_the_code(cast, client):
    user = cast["staff"]
    client.force_login(user)
    _send(client)
    code = enrol_code_from_outbox(user.email)
    _enter(client, _wrong(code))
    _enter(client, code)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse(ENROL), {"step": "token", "token": current_token(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    events = list(AccessEvent.objects.filter(actor_id=user.pk).order_by("pk"))
    assert [(event.action, event.outcome) for event in events] == [
        ("otp_code_sent", audit.Outcome.OK),
        ("otp_code_wrong", audit.Outcome.DENIED),
        ("otp_code_ok", audit.Outcome.OK),
        ("otp_enrolled", audit.Outcome.OK),
    ]
    for event in events:
        assert code not in " ".join(str(value) for value in audit.row_values(event).values())
    assert audit.verify_chain()[1] is None
    assert client.get(reverse("bti:home")).status_code == 200


def test_the_secret_is_new_when_the_code_is_accepted(cast, client):
    user = cast["staff"]
    seen = TOTPDevice.objects.create(user=user, name="BTI", confirmed=False)
    client.force_login(user)
    enrol_code_confirm(client, user)
    assert not TOTPDevice.objects.filter(pk=seen.pk).exists()
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1


# --- The device services behind the page (btitracker.services.enrolment) ------------------


def _ready(cast, client):
    """A user past the e-mailed code, with the device the page shows, and that session."""
    user = cast["staff"]
    client.force_login(user)
    enrol_code_confirm(client, user)
    return user, TOTPDevice.objects.get(user=user, confirmed=False), client.session


def _confirm(user, device, session, token=None):
    return enrolment.otp_device_confirm(
        user=user,
        device=device,
        token=token or current_token(device),
        session=session,
        ip_address="192.0.2.1",
    )


def _enrolled_events(user) -> int:
    return AccessEvent.objects.filter(actor_id=user.pk, action="otp_enrolled").count()


def test_confirm_with_the_apps_code_confirms_the_device_and_logs_it(cast, client):
    user, device, session = _ready(cast, client)
    result = _confirm(user, device, session)
    assert result.status is enrolment.Confirmed.OK
    assert result.device.pk == device.pk
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    event = AccessEvent.objects.get(actor_id=user.pk, action="otp_enrolled")
    assert event.object_id == device.pk
    # The set-up state ends with it: the secret is not shown again.
    assert not enrol_secret_visible(session=session, user=user)


def test_confirming_a_second_time_is_refused_and_logged_once(cast, client):
    user, device, _session = _ready(cast, client)
    second = TOTPDevice.objects.create(user=user, name="BTI", confirmed=False)
    assert _confirm(user, device, client.session).status is enrolment.Confirmed.OK
    result = _confirm(user, second, client.session)
    assert result.status is enrolment.Confirmed.ALREADY
    assert not TOTPDevice.objects.get(pk=second.pk).confirmed
    assert _enrolled_events(user) == 1
    with pytest.raises(enrolment.AlreadyEnrolled):
        enrolment.otp_device_enrol(user=user)


def test_a_wrong_app_code_confirms_nothing(cast, client):
    user, device, session = _ready(cast, client)
    wrong = f"{(int(current_token(device)) + 1) % 10**6:06d}"
    result = _confirm(user, device, session, token=wrong)
    assert result.status is enrolment.Confirmed.WRONG
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert _enrolled_events(user) == 0


def test_another_users_device_is_not_confirmed(cast, client):
    user, _device, session = _ready(cast, client)
    theirs = TOTPDevice.objects.create(user=UserFactory(), name="BTI", confirmed=False)
    result = _confirm(user, theirs, session)
    assert result.status is enrolment.Confirmed.NOT_YOURS
    assert not TOTPDevice.objects.get(pk=theirs.pk).confirmed
    assert _enrolled_events(user) == 0


def test_without_the_emailed_code_in_this_session_no_device_is_confirmed(cast, client):
    user, device, _session = _ready(cast, client)
    result = _confirm(user, device, SessionStore())
    assert result.status is enrolment.Confirmed.NOT_ALLOWED
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed


def test_the_page_confirms_through_the_service_and_refuses_a_wrong_app_code(cast, client):
    user, device, _session = _ready(cast, client)
    wrong = f"{(int(current_token(device)) + 1) % 10**6:06d}"
    response = client.post(reverse(ENROL), {"step": "token", "token": wrong})
    assert response.status_code == 400
    assert "Koden stemmer ikke" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # django_otp holds the device back for a second after a wrong code; skip that wait.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    response = client.post(reverse(ENROL), {"step": "token", "token": current_token(device)})
    assert response.status_code == 302
    assert _enrolled_events(user) == 1
    # Enrolled now: the page refuses a second set-up outright.
    response = client.post(reverse(ENROL), {"step": "token", "token": current_token(device)})
    assert response.status_code == 403
    assert _enrolled_events(user) == 1
