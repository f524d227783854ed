"""The portal's navigation, built from the entries each app registers in its
``AppConfig.ready()`` — so ``plans`` names none of the other apps' URLs and a new app adds
its menu items where its pages are. Each entry names the permission that shows it, so the
menu and the pages ask the same rules; ``order`` places it (gaps of ten leave room)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise  # translated lazily: the menu speaks the request's language
    url_name: str
    permission: str | None  # None: every logged-in member of a municipality
    # A path prefix whose pages all belong under this entry (marks it as the current one).
    section: str | None = None
    order: int = 0


# By URL name, so a ready() that runs twice (tests, reloads) registers an entry once.
_ENTRIES: dict[str, NavEntry] = {}


def register(*entries: NavEntry) -> None:
    """Add entries to the menu (an entry with a URL name already there replaces it)."""
    for entry in entries:
        _ENTRIES[entry.url_name] = entry


def entries() -> list[NavEntry]:
    """Every registered entry, in menu order."""
    return sorted(_ENTRIES.values(), key=lambda entry: entry.order)


def entries_for(user) -> list[NavEntry]:
    return [
        entry for entry in entries() if entry.permission is None or user.has_perm(entry.permission)
    ]


# plans' own entries, registered by PlansConfig.ready(). The others' orders: indicators 70,
# competence 90, reports 100, btitracker 110, 112, 114, 116 and 120; the units and the
# admin close the menu.
PLANS_ENTRIES = (
    NavEntry(_("Forside"), "home", None, order=10),
    NavEntry(_("Oversikt"), "plans:dashboard", "plans.view_dashboard", order=20),
    NavEntry(_("Kvalitetsplan"), "plans:quality-plan-list", None, order=30),
    NavEntry(_("Rammeverk"), "plans:framework", None, order=40),
    NavEntry(_("Utviklingsplaner"), "plans:unit-plan-list", None, order=50),
    NavEntry(
        _("Samtaler"),
        "plans:dialogue-list",
        "plans.access_dialogues",
        "/plans/dialogues/",
        order=55,
    ),
    NavEntry(
        _("Egenvurdering"), "plans:self-assessment-list", "plans.access_selfassessments", order=60
    ),
    NavEntry(_("Fortellinger"), "plans:participation-list", None, order=80),
    NavEntry(_("Enheter"), "plans:unit-list", "plans.view_unit", order=900),
    NavEntry(_("Administrasjon"), "admin:index", "plans.access_admin", order=1000),
)
