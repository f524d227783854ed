"""The portal's navigation: each entry names the permission that shows it, so the menu and
the pages ask the same rules. Later apps add their entries to ``ENTRIES``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every logged-in member of a municipality
    # A path prefix whose pages all belong under this entry (marks it as the current one).
    section: str | None = None


ENTRIES: list[NavEntry] = [
    NavEntry(_("Forside"), "home", None),
    NavEntry(_("Oversikt"), "plans:dashboard", "plans.view_dashboard"),
    NavEntry(_("Kvalitetsplan"), "plans:quality-plan-list", None),
    NavEntry(_("Rammeverk"), "plans:framework", None),
    NavEntry(_("Utviklingsplaner"), "plans:unit-plan-list", None),
    NavEntry(_("Egenvurdering"), "plans:self-assessment-list", "plans.access_selfassessments"),
    NavEntry(
        _("Tellinger"), "indicators:indicator-list", "indicators.view_indicator", "/indicators/"
    ),
    NavEntry(_("Fortellinger"), "plans:participation-list", None),
    NavEntry(
        _("Kompetanse"), "competence:activity-table", "competence.view_activity", "/competence/"
    ),
    NavEntry(
        _("Tilstandsrapporter"), "reports:report-list", "reports.view_statusreport", "/reports/"
    ),
    NavEntry(_("Enheter"), "plans:unit-list", "plans.view_unit"),
    NavEntry(_("Administrasjon"), "admin:index", "plans.access_admin"),
]


def entries_for(user) -> list[NavEntry]:
    return [
        entry for entry in ENTRIES if entry.permission is None or user.has_perm(entry.permission)
    ]
