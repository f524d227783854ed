"""The login lockout (plans/login_guard.py): an attacking address is locked, longer each
time; a name under attack is throttled; the user's own browser (device cookie) still logs
in with the right password, also from the attacker's NAT address; the client address is
REMOTE_ADDR unless a trusted proxy header is configured."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse

from config.env import Env
from plans.login_guard import DEVICE_COOKIE, client_ip
from tests.factories import PASSWORD

OFFICE = "203.0.113.7"  # the municipality's NAT address: the attacker and the user
HOME = "198.51.100.20"
ELSEWHERE = "192.0.2.55"


def login(client, username, password=PASSWORD, address=OFFICE, **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def known_browser(username, address=HOME) -> Client:
    """A browser the user has logged in with before (and logged out of)."""
    browser = Client()
    assert login(browser, username, address=address).status_code == 302
    assert DEVICE_COOKIE in browser.cookies
    browser.post(reverse("logout"), REMOTE_ADDR=address)
    return browser


def attack(username, times, address=OFFICE, client=None):
    client = client or Client()
    for _ in range(times):
        login(client, username, "feil-passord", address=address)
    return client


def test_the_attacking_address_is_locked_for_every_name_and_longer_each_time(cast, settings):
    attacker = attack("ansatt", settings.AXES_FAILURE_LIMIT)
    first = login(attacker, "sektorleder")  # another name, right password, same address
    assert first.status_code == 429
    assert "15 minutter" in first.content.decode()
    attack("ansatt", settings.AXES_FAILURE_LIMIT, client=attacker)  # keeps trying
    second = login(attacker, "sektorleder")
    assert second.status_code == 429
    assert "30 minutter" in second.content.decode()
    attack("bti", settings.AXES_FAILURE_LIMIT, client=attacker)
    assert "60 minutter" in login(attacker, "sektorleder").content.decode()


def test_the_user_logs_in_from_another_address_while_their_name_is_attacked(cast, settings):
    browser = known_browser("ansatt", address=HOME)
    attack("ansatt", settings.AXES_FAILURE_LIMIT, address=OFFICE)
    assert login(browser, "ansatt", address=HOME).status_code == 302


def test_the_user_behind_the_attackers_nat_address_logs_in_with_their_own_browser(cast, settings):
    browser = known_browser("ansatt", address=OFFICE)
    attacker = attack("ansatt", settings.AXES_FAILURE_LIMIT, address=OFFICE)
    # The attacker's browser is refused even when it guesses right; the user's is not.
    assert login(attacker, "ansatt").status_code == 429
    assert login(browser, "ansatt", address=OFFICE).status_code == 302


def test_a_name_under_attack_from_many_addresses_is_throttled_at_every_failing_address(
    cast, settings
):
    """Spreading guesses over addresses buys one guess per fresh address: once the name has
    failed the limit in all, an address that failed it once is refused, right password or
    not; a client that has not failed logs in."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        attack("ansatt", 1, address=f"192.0.2.{number + 1}")
    assert login(Client(), "ansatt", address="192.0.2.1").status_code == 429
    assert login(Client(), "ansatt", address=ELSEWHERE).status_code == 302
    assert login(Client(), "sektorleder", address="192.0.2.1").status_code == 302


def test_below_the_limit_a_failing_address_still_logs_in_with_the_right_password(cast, settings):
    attack("ansatt", settings.AXES_FAILURE_LIMIT - 1, address=HOME)
    assert login(Client(), "ansatt", address=HOME).status_code == 302


def test_a_known_browser_that_fails_itself_is_locked_like_any_other(cast, settings):
    browser = known_browser("ansatt", address=HOME)
    attack("ansatt", settings.AXES_FAILURE_LIMIT, address=HOME, client=browser)
    assert login(browser, "ansatt", address=HOME).status_code == 429


def test_a_forged_or_foreign_device_cookie_is_no_pass(cast, settings):
    other = known_browser("sektorleder", address=HOME)  # a valid cookie, for another name
    attack("ansatt", settings.AXES_FAILURE_LIMIT, address=OFFICE)
    assert login(other, "ansatt", address=OFFICE).status_code == 429
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = '["ansatt","abc"]:forged:signature'
    assert login(forged, "ansatt", address=OFFICE).status_code == 429


def test_a_spoofed_forwarded_for_is_ignored_unless_configured(cast, settings):
    assert settings.TRUSTED_PROXY_HEADER is None
    attacker = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, "ansatt", "feil", address=OFFICE, x_forwarded_for=f"10.9.9.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}
    assert login(attacker, "sektorleder", x_forwarded_for="10.9.9.99").status_code == 429


def test_with_the_header_configured_the_address_comes_from_the_trusted_proxy(cast, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The client wrote «1.2.3.4»; the proxy appended the address it saw.
        login(attacker, "ansatt", "feil", address=proxy, x_forwarded_for=f"1.2.3.4, {OFFICE}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}
    # Another client behind the same proxy is not the attacker.
    assert login(Client(), "sektorleder", address=proxy, x_forwarded_for=HOME).status_code == 302


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (1, "6.6.6.6, 198.51.100.20", "198.51.100.20"),
        (2, "6.6.6.6, 198.51.100.20, 10.0.0.3", "198.51.100.20"),
        (2, "198.51.100.20", "10.0.0.1"),  # fewer hops than proxies: not through them
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(settings, count, header, expected):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_trusted_proxy_header_setting_is_typed():
    assert Env({"H": "X-Forwarded-For"}).header("H") == "HTTP_X_FORWARDED_FOR"
    assert Env({"H": "X-Real-IP"}).header("H") == "HTTP_X_REAL_IP"
    assert Env({}).header("H") is None
    with pytest.raises(ImproperlyConfigured, match="Ugyldig verdi for H"):
        Env({"H": "X_Forwarded For"}).header("H")
