"""Every URL × every persona → the expected status, plus a user of another municipality,
a user without membership and the anonymous visitor. Later issues add their URLs here.

Status 302 for an anonymous visitor is the redirect to the login page. The admin answers
302 to an object outside the user's scope: a redirect to the admin index that names nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

ALL = (*PERSONAS, "other_municipality", "no_membership", "anonymous")
MEMBERS = ALL[:7]


def expect(default: int, anonymous: int = 302, no_membership: int = 403, **overrides) -> dict:
    table = dict.fromkeys(ALL, default)
    table.update(anonymous=anonymous, no_membership=no_membership, **overrides)
    return table


def only(persona_status: dict, others: int, anonymous: int = 302) -> dict:
    table = dict.fromkeys(ALL, others)
    table["anonymous"] = anonymous
    table.update(persona_status)
    return table


ADMIN_ONLY = only({"data_admin": 200, "other_municipality": 200}, others=403)

# (name, url builder taking the plan cast (tests/conftest.py), expected status per persona)
MATRIX = [
    ("home", lambda c: reverse("home"), expect(200)),
    ("healthz", lambda c: reverse("healthz"), expect(200, anonymous=200, no_membership=200)),
    ("login", lambda c: reverse("login"), expect(302, anonymous=200, no_membership=302)),
    ("password change", lambda c: reverse("password_change"), expect(200, no_membership=200)),
    (
        "password reset",
        lambda c: reverse("password_reset"),
        expect(200, anonymous=200, no_membership=200),
    ),
    ("unit list", lambda c: reverse("plans:unit-list"), expect(200)),
    (
        "own unit",
        lambda c: reverse("plans:unit-detail", args=[c.school.pk]),
        expect(200, other_municipality=404),
    ),
    (
        "other municipality's unit",
        lambda c: reverse("plans:unit-detail", args=[c.other_unit.pk]),
        expect(404, other_municipality=200),
    ),
    ("profile", lambda c: reverse("plans:profile"), expect(200)),
    ("admin index", lambda c: reverse("admin:index"), ADMIN_ONLY),
    ("admin units", lambda c: reverse("admin:plans_unit_changelist"), ADMIN_ONLY),
    (
        "admin unit",
        lambda c: reverse("admin:plans_unit_change", args=[c.school.pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    ("admin unit import", lambda c: reverse("admin:plans_unit_import"), ADMIN_ONLY),
    ("admin unit export", lambda c: reverse("admin:plans_unit_export"), ADMIN_ONLY),
    ("admin memberships", lambda c: reverse("admin:plans_membership_changelist"), ADMIN_ONLY),
    ("admin membership import", lambda c: reverse("admin:plans_membership_import"), ADMIN_ONLY),
    ("admin users", lambda c: reverse("admin:auth_user_changelist"), ADMIN_ONLY),
    (
        "admin user",
        lambda c: reverse("admin:auth_user_change", args=[c["staff"].pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    (
        "admin municipality",
        lambda c: reverse("admin:plans_municipality_change", args=[c.municipality.pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    ("admin add municipality", lambda c: reverse("admin:plans_municipality_add"), only({}, 403)),
    # --- quality plan and framework ---
    # --- end quality plan and framework ---
    # --- unit development plans ---
    # --- end unit development plans ---
    # --- quality tools, self-assessment and fortellinger ---
    # --- end quality tools, self-assessment and fortellinger ---
    # --- sector dashboard ---
    # --- end sector dashboard ---
]


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize(("name", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_access_matrix(plan_cast, client_for, settings, persona, name, url, expected):
    cast = plan_cast
    # Access does not depend on the infrastructure; /healthz would answer 503 here
    # without a worker, which tests/services covers.
    settings.REDIS_URL = None
    client = client_for(None if persona == "anonymous" else cast[persona])
    response = client.get(url(cast))
    assert response.status_code == expected[persona], (
        f"{persona} on {name}: got {response.status_code}, expected {expected[persona]}"
    )
    if persona == "anonymous" and expected[persona] == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", MEMBERS)
@pytest.mark.parametrize(("name", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_no_page_shows_another_municipalitys_rows(
    plan_cast, client_for, persona, name, url, expected
):
    """Whatever a page answers, it never names a unit or user of a municipality the
    persona does not belong to."""
    cast = plan_cast
    user = cast[persona]
    foreign = (
        [
            "Solvik barneskole",
            "Solbakken barnehage",
            cast["unit_leader"].get_full_name(),
            "Kvalitetsplan for Solvik",
            "Inkluderende miljø",
            "Språkgrupper i barnehagen",
        ]
        if persona == "other_municipality"
        else [
            "Nabovik skole",
            cast["other_municipality"].get_full_name(),
            "Nabovik-planen",
            "Naboviks område",
            "Naboviks tiltak",
        ]
    )
    response = client_for(user).get(url(cast), follow=True)
    body = response.content.decode()
    for word in foreign:
        assert word not in body, f"{persona} saw {word!r} on {name}"


def test_matrix_covers_every_named_portal_url(plan_cast):
    cast = plan_cast
    """A new URL must join the matrix: every named URL outside the admin is listed here,
    except the POST-only and token URLs that test_auth covers."""
    from django.urls import get_resolver, resolve

    covered = {resolve(url(cast)).view_name for _name, url, _expected in MATRIX}
    resolver = get_resolver()
    names = {name for name in resolver.reverse_dict if isinstance(name, str)}
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace != "admin":
            names |= {f"{namespace}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    covered_elsewhere = {
        "logout",
        "set_language",
        "password_change_done",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
    assert sorted(names - covered - covered_elsewhere) == []
