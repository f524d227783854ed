"""Reads of the report's branding: the logo as a data URI (what the title page shows and
the snapshot keeps)."""

from __future__ import annotations

import base64

from django.utils.translation import gettext as _

from reports.models import ReportBranding


def report_branding_for(*, municipality) -> ReportBranding | None:
    return ReportBranding.objects.filter(municipality=municipality).first()


def report_branding_data_uri(*, branding: ReportBranding | None) -> str:
    """The logo as ``data:<type>;base64,…``, or "" when there is none. A data URI in an
    ``<img>`` never runs what an SVG might carry, and needs no file served."""
    if branding is None or not branding.logo:
        return ""
    encoded = base64.b64encode(bytes(branding.logo)).decode("ascii")
    return f"data:{branding.content_type};base64,{encoded}"


def report_branding_snapshot(*, municipality) -> dict[str, str]:
    """What the snapshot keeps for the title page, so a published report stays as it was."""
    logo = report_branding_data_uri(branding=report_branding_for(municipality=municipality))
    alt = _("Kommunevåpen for %(municipality)s") % {"municipality": municipality.name}
    return {"logo": logo, "logo_alt": alt if logo else ""}
