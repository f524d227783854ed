"""What an OpenID Connect login leaves in the session, without a provider: the BTI gate
takes the provider's MFA instead of TOTP (and nothing else does), and the session goes
back to the provider once OIDC_REVALIDATE_SECONDS have passed."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from identity.views import OIDC_SESSION_KEY
from plans.models import Role
from plans.second_factor import IDP_MFA_SESSION_KEY
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.identity.helpers import make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, settings):
    provider = make_provider("nordvik", "9101")
    settings.OIDC_PROVIDERS = {provider.key: provider}
    unit = UnitFactory()
    user = UserFactory()
    MembershipFactory(user=user, municipality=unit.municipality, unit=unit, role=Role.STAFF)
    client.force_login(user)
    return user


def _session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_the_providers_mfa_opens_bti_without_totp(client, staff):
    _session(client, **{IDP_MFA_SESSION_KEY: True})
    assert client.get("/bti/").status_code == 200


def test_without_the_providers_mfa_bti_asks_for_totp(client, staff):
    response = client.get("/bti/")
    assert response.status_code == 302
    assert response["Location"].startswith("/bti/totrinn/")


def test_an_oidc_session_goes_back_to_its_provider_after_the_limit(client, staff, settings):
    settings.OIDC_REVALIDATE_SECONDS = 60
    _session(client, **{OIDC_SESSION_KEY: {"provider": "nordvik", "at": int(time.time())}})
    assert client.get("/plans/profile/").status_code == 200
    _session(client, **{OIDC_SESSION_KEY: {"provider": "nordvik", "at": int(time.time()) - 61}})
    response = client.get("/plans/profile/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("identity:login", args=["nordvik"])
    assert parse_qs(target.query)["next"] == ["/plans/profile/"]
    # Logged out on the way: the old session gives nothing any more.
    assert "_auth_user_id" not in client.session


def test_an_oidc_session_of_a_provider_no_longer_configured_ends(client, staff, settings):
    _session(client, **{OIDC_SESSION_KEY: {"provider": "gone", "at": int(time.time())}})
    response = client.get("/plans/profile/")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_password_session_is_not_sent_to_a_provider(client, staff, settings):
    settings.OIDC_REVALIDATE_SECONDS = 60
    assert client.get("/plans/profile/").status_code == 200
