"""Login, logout, lockout, session limits, password change and reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plans.middleware import SEEN_KEY, STARTED_KEY
from tests.factories import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_right_password_lands_on_home(cast, client):
    response = login(client, "ansatt")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_with_wrong_password_shows_norwegian_error(cast, client):
    response = login(client, "ansatt", "feil-passord")
    assert response.status_code == 200
    assert "Vennligst oppgi korrekt brukernavn og passord" in response.content.decode()


def test_logout_is_post_only_and_ends_the_session(cast, client):
    login(client, "ansatt")
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_lockout_after_five_failures_and_it_expires(cast, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ansatt", "feil-passord")
    locked = login(client, "ansatt")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Midlertidig sperret" in locked.content.decode()
    assert "15 minutter" in locked.content.decode()

    # The cool-off is measured from the last failure; move it into the past.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_BASE - timedelta(seconds=1)
    )
    assert login(client, "ansatt").status_code == 302


def test_lockout_of_one_user_does_not_lock_another_on_their_own_browser(cast, client, settings):
    colleague = type(client)()
    assert login(colleague, "sektorleder").status_code == 302  # has logged in here before
    colleague.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ansatt", "feil-passord")
    # The address is locked for new browsers (tests/plans/test_login_guard.py), not for
    # a colleague's browser that has logged in before.
    assert login(colleague, "sektorleder").status_code == 302


@pytest.mark.parametrize(
    ("key", "age"),
    [(SEEN_KEY, 31 * 60), (STARTED_KEY, 12 * 60 * 60 + 1)],
    ids=["idle-30-minutes", "absolute-12-hours"],
)
def test_session_expires_after_idle_and_absolute_limits(cast, client, key, age):
    login(client, "ansatt")
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[key] = session[key] - age
    session.save()
    response = client.get(reverse("plans:unit-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # really logged out


def test_active_session_survives_within_limits(cast, client):
    login(client, "ansatt")
    client.get(reverse("home"))
    session = client.session
    session[SEEN_KEY] -= 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SEEN_KEY] > session[SEEN_KEY]  # the idle clock was refreshed


def test_session_cookie_lives_no_longer_than_idle_limit(cast, client):
    response = login(client, "ansatt")
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    assert response.cookies["sessionid"]["httponly"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Passordet er for kort. Det må bestå av minst 12 tegn."),
        ("nn", "Passordet er for kort. Det må innehalde minst 12 teikn."),
    ],
)
def test_password_too_short_is_explained_in_norwegian(cast, client, language, message):
    login(client, "ansatt")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "kort-1", "new_password2": "kort-1"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_password_change(cast, client):
    login(client, "ansatt")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Et-nytt-langt-passord-42",
            "new_password2": "Et-nytt-langt-passord-42",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert login(client, "ansatt", "Et-nytt-langt-passord-42").status_code == 302


def test_password_change_refuses_mismatch_in_norwegian(cast, client):
    login(client, "ansatt")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Et-nytt-langt-passord-42",
            "new_password2": "Et-annet-langt-passord-43",
        },
    )
    assert response.status_code == 200
    assert "De to passordfeltene er ikke like." in response.content.decode()
    client.post(reverse("logout"))
    assert login(client, "ansatt").status_code == 302  # the old password still works


def test_password_reset_by_email_end_to_end(
    cast, client, django_capture_on_commit_callbacks, tasks_in_process
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "ansatt@example.no"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "ansatt" in body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body).group(1)

    form_page = client.get(link, follow=True)
    assert "Velg nytt passord" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Helt-nytt-passord-77", "new_password2": "Helt-nytt-passord-77"},
    )
    assert response.status_code == 302
    assert login(client, "ansatt", "Helt-nytt-passord-77").status_code == 302


def test_password_reset_answers_the_same_for_unknown_address(
    cast, client, django_capture_on_commit_callbacks, tasks_in_process
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password_reset"), {"email": "ansatt@example.no"})
        unknown = client.post(reverse("password_reset"), {"email": "ingen@example.no"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_csp_header_forbids_inline_script_and_style(cast, client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()  # no inline scripts to need it
    assert " style=" not in response.content.decode()
