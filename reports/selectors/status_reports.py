"""Reads of a stored status report: the context its PDF template is rendered with."""

from __future__ import annotations

from typing import Any

from reports.schema import upgrade


def status_report_pdf_context(*, snapshot: dict[str, Any]) -> dict[str, Any]:
    return {"report": upgrade(snapshot), "for_pdf": True}
