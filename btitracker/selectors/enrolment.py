"""Reads for the second-factor set-up pages: how long an e-mailed code lives and the
address it went to, masked."""

from __future__ import annotations

from django.conf import settings


def enrol_code_minutes() -> int:
    return settings.BTI_ENROL_CODE_MINUTES


def enrolment_email_mask(*, address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:2]}…@{domain}" if domain else "…"
