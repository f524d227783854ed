"""Reads of a stored status report: the context its PDF template is rendered with."""

from __future__ import annotations

import datetime
from typing import Any

from reports.schema import upgrade


def status_report_pdf_context(*, snapshot: dict[str, Any], draft: bool = True) -> dict[str, Any]:
    """``draft`` puts the «Utkast» mark on every page; the published file is laid out
    again from the same snapshot without it."""
    report = upgrade(snapshot)
    collected = report.get("collected_at") or ""
    cover_date = datetime.datetime.fromisoformat(collected) if collected else None
    return {"report": report, "for_pdf": True, "draft": draft, "cover_date": cover_date}
