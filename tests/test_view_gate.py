"""The one access gate (``plans.views.gate.MemberRequiredMixin``): every view of every app
passes it unless it is named public here, and the gate answers the same on every app's
pages — login for visitors, 403 for an account without membership, the page for a
superuser without one."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from plans.views.gate import MemberRequiredMixin
from tests.factories import UserFactory

# Views that do not ask for a member, and why. Anything else in the URLconf must derive
# from the gate: a new view that forgets it fails test_every_view_passes_the_gate.
PUBLIC = {
    # Logging in and out, and a forgotten password: before anyone is a member.
    "plans.views.organisation.PortalLoginView",
    "plans.views.organisation.PortalPasswordResetView",
    "django.contrib.auth.views.LogoutView",
    "django.contrib.auth.views.PasswordResetDoneView",
    "django.contrib.auth.views.PasswordResetConfirmView",
    "django.contrib.auth.views.PasswordResetCompleteView",
    # Changing one's own password needs a login (Django's login_required), not a role:
    # an account whose membership ended may still set a new password.
    "django.contrib.auth.views.PasswordChangeView",
    "django.contrib.auth.views.PasswordChangeDoneView",
    "django.views.i18n.set_language",
    # Signing in with the municipality's identity provider: before anyone is a member.
    "identity.views.OidcLoginView",
    "identity.views.OidcCallbackView",
    # Load balancers and compose healthchecks: says nothing about data.
    "plans.views.organisation.HealthView",
    # Nothing in the portal stands between a person and a report to child welfare.
    "btitracker.views.cases.ReportGuidanceView",
    # The open API: published statistics only.
    "indicators.views.api.ApiDocsView",
    "indicators.views.api.IndicatorListApi",
    "indicators.views.api.IndicatorApi",
    "indicators.views.api.ObservationListApi",
    # The directory of services: «alle vet hvor de kan få hjelp». The public pages show a
    # municipality's entries marked public (Service.objects.published), to anyone; the
    # start page hands members to the gated ServiceListView and shows everyone else the
    # municipalities with public entries.
    "btitracker.views.directory.DirectoryStartView",
    "btitracker.views.directory.PublicServiceListView",
    "btitracker.views.directory.PublicServiceDetailView",
    # A calendar client has no session: the token is the credential (see the view).
    "competence.views.calendar.ICalFeedView",
}


def _portal_views():
    """(route, dotted name, view class or None) of every URL outside the admin site."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the admin site has its own gate (plans/admin_site.py)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            callback = pattern.callback
            view_class = getattr(callback, "view_class", None)
            target = view_class or callback
            name = f"{target.__module__}.{target.__name__}"
            yield prefix + str(pattern.pattern), name, view_class

    return list(walk(get_resolver().url_patterns))


def test_every_view_passes_the_gate_or_is_named_public():
    ungated = sorted(
        f"{route} → {name}"
        for route, name, view_class in _portal_views()
        if name not in PUBLIC
        and not (view_class is not None and issubclass(view_class, MemberRequiredMixin))
    )
    assert ungated == []


def test_the_public_list_names_only_views_in_the_urlconf():
    # A stale entry would let a later view of that name through unnoticed.
    assert PUBLIC - {name for _route, name, _view in _portal_views()} == set()


def test_the_gate_covers_every_app():
    gated_apps = {
        name.split(".")[0]
        for _route, name, view_class in _portal_views()
        if view_class is not None and issubclass(view_class, MemberRequiredMixin)
    }
    assert {"plans", "indicators", "btitracker", "competence", "reports"} <= gated_apps


# One page of each app, and a POST-only action (the gate answers before the method, so
# a refused account sees 403, never 405).
PAGES = [
    "home",
    "plans:unit-plan-list",
    "plans:dashboard",
    "indicators:indicator-list",
    "competence:mine",
    "reports:report-list",
    "bti:home",
    "bti:statistics",
]


@pytest.mark.parametrize("url_name", PAGES)
def test_the_gate_sends_visitors_to_login_and_refuses_accounts_without_membership(
    cast, client, url_name
):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(cast["no_membership"])
    assert client.get(url).status_code == 403


def test_a_refused_account_gets_403_before_a_post_only_action_answers_405(cast, client):
    client.force_login(cast["no_membership"])
    url = reverse("plans:unit-plan-create", args=[cast.school.pk])
    assert client.get(url).status_code == 403
    client.force_login(cast["sector_leader"])
    assert client.get(url).status_code == 405


def test_a_superuser_without_membership_passes_the_gate(cast, client):
    client.force_login(UserFactory(username="drift", is_superuser=True))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("plans:unit-list")).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "refused", "admitted"),
    [
        ("plans:dashboard", "data_admin", "sector_leader"),
        ("plans:membership-review", "unit_leader", "sector_leader"),
        ("bti:statistics", "data_admin", "bti_coordinator"),
    ],
)
def test_the_gate_asks_the_pages_own_rule_of_members(cast, client, url_name, refused, admitted):
    url = reverse(url_name)
    client.force_login(cast[refused])
    assert client.get(url).status_code == 403
    client.force_login(cast[admitted])
    assert client.get(url).status_code == 200
