"""Everything that changes a status report: ordering, rendering (called by the Celery task),
publishing, a new version, retrying, and re-dispatching reports the queue never got.

Rendering goes: collecting data → charts → layout → storing, each stage saved on the row
for the page's progress bar. It may run twice (``acks_late``): a report already finished
is left alone, and a rerun of an unfinished one deletes the file an earlier run may have
left and stores the new one under the same stable name, so there is only ever one file.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from documents.pdf import PdfRenderError, render_pdf
from plans.models import QualityPlan
from reports.charts import add_charts
from reports.models import (
    PENDING_STATES,
    WAITING_STATES,
    PublishedReportError,
    ReportState,
    StatusReport,
    published_file_name,
    report_file_name,
)
from reports.selectors.assessments import assessment_publish_check
from reports.selectors.status_reports import status_report_pdf_context
from reports.snapshot import build_snapshot

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "reports/pdf/status_report.html"
PDF_STYLESHEET = "reports/pdf/status_report.css"
# A claimed report whose worker has not finished within this long is taken over by the
# next run (the hard time limit has killed it by then).
STALE_AFTER = datetime.timedelta(seconds=settings.REPORT_TASK_TIME_LIMIT + 60)
# The page's poll re-sends a report the queue never got at most this often.
REDISPATCH_EVERY = datetime.timedelta(seconds=10)

STAGES = {
    "collect": (gettext_lazy("Henter data"), 5),
    "charts": (gettext_lazy("Tegner diagrammer"), 30),
    "layout": (gettext_lazy("Setter opp PDF-en"), 55),
    "store": (gettext_lazy("Lagrer PDF-en"), 90),
}


# --- Ordering and dispatching ---------------------------------------------------------------


def status_report_order(
    *, user, quality_plan: QualityPlan, year: int, dispatch: bool = True
) -> StatusReport:
    """Order a new report for the plan and year: saved as queued, and sent to the queue
    when the transaction commits. If the broker cannot be reached the order stays saved
    as queued, and ``status_report_requeue`` or the page's poll sends it later.

    ``dispatch=False`` is for a caller that renders the report itself, in-process, with
    ``status_report_render`` (the demo's loader): nothing goes to the broker, so loading
    the demo needs no worker and leaves no message behind for one."""
    if year < quality_plan.period_start - 1 or year > quality_plan.period_end:
        raise ValidationError(
            {
                "year": _("Året må ligge innenfor planperioden %(period)s.")
                % {"period": quality_plan.period_label}
            }
        )
    with transaction.atomic():
        pending = StatusReport.objects.filter(quality_plan=quality_plan, year=year).exclude(
            state=ReportState.PUBLISHED
        )
        if pending.exists():
            raise ValidationError(
                _(
                    "Det finnes allerede et upublisert utkast for denne planen og dette året. "
                    "Åpne det og lag det på nytt, eller publiser det først."
                ),
                code="draft_exists",
            )
        latest = (
            StatusReport.objects.filter(quality_plan=quality_plan, year=year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        report = StatusReport(
            municipality=quality_plan.municipality,
            quality_plan=quality_plan,
            year=year,
            version=(latest or 0) + 1,
            ordered_by=user,
            stage=str(_("Venter på tur")),
        )
        report.full_clean()
        report.save()
    if dispatch:
        _dispatch(report)
    return report


def _dispatch(report: StatusReport) -> bool:
    """Queue the render once the row is committed. True when the broker took it."""
    from reports.tasks import render_status_report

    now = timezone.now()
    try:
        with transaction.atomic():
            StatusReport.objects.filter(pk=report.pk).update(dispatch_attempted_at=now)
            render_status_report.delay_on_commit(report.pk)
    except (BrokerError, RedisError, ConnectionError, OSError) as error:
        # The broker is down: the order is saved and will be sent when it is back.
        logger.warning("Status report %s could not be queued: %s", report.pk, error)
        return False
    StatusReport.objects.filter(pk=report.pk).exclude(state=ReportState.PUBLISHED).update(
        dispatched_at=timezone.now()
    )
    report.refresh_from_db()
    return True


def status_report_requeue(*, older_than: datetime.timedelta = datetime.timedelta(0)) -> int:
    """Send again every report still waiting: queued ones the broker never got (or got
    longer than ``older_than`` ago without a worker starting them) and rendering ones
    whose worker is gone. Safe to repeat: the task itself skips finished reports and one
    a live worker holds. Used by ``manage.py requeue_reports`` and the beat task."""
    now = timezone.now()
    waiting = (
        Q(state__in=WAITING_STATES)
        & (Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - older_than))
        & (Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_AFTER))
    )
    stale = Q(
        state__in=[ReportState.RENDERING, ReportState.PUBLISHING],
        started_at__lt=now - STALE_AFTER,
    )
    sent = 0
    for report in StatusReport.objects.filter(waiting | stale).order_by("pk"):
        if _dispatch(report):
            sent += 1
    return sent


def status_report_poll(*, report: StatusReport) -> StatusReport:
    """What the page's poll does besides reading: a queued (or publishing) report the
    broker never got is sent again (at most every ``REDISPATCH_EVERY``), so a report
    ordered while Redis was down starts as soon as Redis is back, even without the beat."""
    if report.state not in WAITING_STATES or report.dispatched_at is not None:
        return report
    last = report.dispatch_attempted_at
    if last is None or timezone.now() - last >= REDISPATCH_EVERY:
        _dispatch(report)
        report.refresh_from_db()
    return report


def status_report_retry(*, report: StatusReport, user) -> StatusReport:
    """Render a draft again (after a failure, or to take in new data)."""
    with transaction.atomic():
        locked = StatusReport.objects.select_for_update().get(pk=report.pk)
        if locked.state == ReportState.PUBLISHED:
            raise PublishedReportError(_("En publisert rapport kan ikke lages på nytt."))
        if locked.state == ReportState.PUBLISHING:
            raise ValidationError(_("Rapporten publiseres nå."), code="publishing")
        if locked.state in PENDING_STATES and locked.dispatched_at is not None:
            raise ValidationError(_("Rapporten lages allerede."), code="busy")
        locked.state = ReportState.QUEUED
        locked.stage = str(_("Venter på tur"))
        locked.progress = 0
        locked.error = ""
        locked.task_id = ""
        locked.dispatched_at = None
        locked.started_at = None
        locked.finished_at = None
        locked.ordered_by = user
        locked.save()
    _dispatch(locked)
    return locked


# --- Publishing -------------------------------------------------------------------------------


def _publish_validate(report: StatusReport) -> None:
    """What a report must be to be published (checked again under the row lock)."""
    if report.state == ReportState.PUBLISHED:
        raise PublishedReportError(_("Rapporten er allerede publisert."))
    if report.state == ReportState.PUBLISHING:
        raise ValidationError(_("Rapporten publiseres allerede."), code="publishing")
    if report.state != ReportState.READY or not report.pdf or not report.snapshot:
        raise ValidationError(
            _("Bare et ferdig utkast kan publiseres. Vent til PDF-en er laget."),
            code="not_ready",
        )


def status_report_publish(*, report: StatusReport, user, dispatch: bool = True) -> StatusReport:
    """Publish a finished draft: validate, then queue the final render. The worker lays
    the stored (reviewed) snapshot out again without the «Utkast» mark, stores that file
    under its own name, deletes the draft's and marks the report published, all at once
    (``_publish``); until then the report is PUBLISHING, and if the render fails it is
    back to READY with the error. From then on its snapshot and PDF never change."""
    with transaction.atomic():
        # The row as stored, not the caller's copy (which may predate the render).
        locked = StatusReport.objects.select_for_update().get(pk=report.pk)
        _publish_validate(locked)
        assessment_publish_check(report=locked)
        locked.state = ReportState.PUBLISHING
        # Who asked: the final step makes it the publisher (cleared again on failure).
        locked.published_by = user
        locked.stage = str(_("Publiserer"))
        locked.progress = 0
        locked.error = ""
        locked.task_id = ""
        locked.dispatched_at = None
        locked.dispatch_attempted_at = None
        locked.started_at = None
        locked.finished_at = None
        locked.save()
    if dispatch:  # else the caller renders it in-process (the demo), as for an order
        _dispatch(locked)
    return locked


def status_report_version_create(*, report: StatusReport, user) -> StatusReport:
    """A new draft for the same plan and year, rendered from today's data."""
    if report.state != ReportState.PUBLISHED:
        raise ValidationError(
            _("En ny versjon lages fra en publisert rapport; et utkast kan lages på nytt."),
            code="not_published",
        )
    return status_report_order(user=user, quality_plan=report.quality_plan, year=report.year)


# --- Rendering (the Celery task's work) ------------------------------------------------------


def _claim(report_id: int, task_id: str) -> StatusReport | None:
    """Take the report for this run, or None when there is nothing to do: it is gone,
    finished, or rendering under another live run."""
    with transaction.atomic():
        report = StatusReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.state not in PENDING_STATES:
            return None
        now = timezone.now()
        if (
            report.state in (ReportState.RENDERING, ReportState.PUBLISHING)
            and report.task_id
            and report.task_id != task_id
            and report.started_at
            and now - report.started_at < STALE_AFTER
        ):
            return None
        if report.state == ReportState.QUEUED:
            report.state = ReportState.RENDERING
        report.task_id = task_id[:64]
        report.attempts += 1
        report.started_at = now
        report.error = ""
        report.save()
        return report


def _record(report: StatusReport, stage_key: str, extra: int = 0, text: str | None = None) -> None:
    label, percent = STAGES[stage_key]
    report.stage = (text or str(label))[:120]
    report.progress = min(percent + extra, 99)
    StatusReport.objects.filter(
        pk=report.pk, state__in=[ReportState.RENDERING, ReportState.PUBLISHING]
    ).update(stage=report.stage, progress=report.progress)


def status_report_demo_purge(*, municipality) -> int:
    """Remove every status report of a municipality, published ones too, with their
    files. Only the demo's reset calls this (``load_demo`` rebuilds the demo municipality
    from scratch, plans included); in use a published report never changes and is never
    deleted, which ``StatusReport`` and its queryset enforce everywhere else."""
    from django.db.models import QuerySet

    reports = StatusReport.objects.filter(municipality=municipality)
    storage = StatusReport._meta.get_field("pdf").storage
    names = list(reports.exclude(pdf="").values_list("pdf", flat=True))

    def delete_files() -> None:  # once the rows are gone for good
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    # The plain QuerySet.delete: the report queryset's own refuses published rows.
    deleted, _per_model = QuerySet.delete(reports)
    return deleted


def status_report_render(
    *, report_id: int, task_id: str = "", render: Callable[..., bytes] = render_pdf
) -> str:
    """Collect, draw, lay out and store one report. Returns the state it ends in."""
    report = _claim(report_id, task_id)
    if report is None:
        found = StatusReport.objects.filter(pk=report_id).values_list("state", flat=True).first()
        return found or "missing"
    if report.state == ReportState.PUBLISHING:
        return _publish(report, render)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return _render(report, render)
    except PdfRenderError as error:
        # The layout was stopped at PDF_RENDER_TIMEOUT or failed; its text says why.
        _fail(report, str(error))
    except SoftTimeLimitExceeded:
        _fail(
            report,
            _(
                "Det tok for lang tid å lage rapporten (over %(seconds)s sekunder). "
                "Prøv igjen, eller kontakt brukerstøtte hvis det gjentar seg."
            )
            % {"seconds": settings.REPORT_TASK_SOFT_TIME_LIMIT},
        )
    except Exception as error:
        logger.exception("Status report %s failed", report.pk)
        _fail(
            report,
            _(
                "Rapporten kunne ikke lages på grunn av en feil (%(kind)s). Ingenting er "
                "publisert. Prøv igjen; gjentar feilen seg, kontakt brukerstøtte."
            )
            % {"kind": type(error).__name__},
        )
    return ReportState.FAILED


def _render(report: StatusReport, render: Callable[..., bytes]) -> str:
    user = report.ordered_by
    if user is None:
        raise ValidationError("the ordering user is gone")
    _record(report, "collect")
    snapshot = build_snapshot(report, user)

    _record(report, "charts")

    def chart_progress(done: int, total: int) -> None:
        if done == total or done % 5 == 0:
            label = _("Tegner diagrammer (%(done)s av %(total)s)") % {"done": done, "total": total}
            _record(report, "charts", extra=int(20 * done / total), text=label)

    add_charts(snapshot, chart_progress)

    _record(report, "layout")
    delay = settings.REPORT_TEST_LAYOUT_DELAY
    if delay:
        # Test-only (see docs/reports.md): keeps the worker in the layout stage long
        # enough for the tests to kill it there.
        time.sleep(delay)
    content = render(
        PDF_TEMPLATE,
        status_report_pdf_context(snapshot=snapshot, draft=True),
        stylesheet=PDF_STYLESHEET,
        timeout=settings.REPORT_PDF_TIMEOUT,
    )

    _record(report, "store")
    name = report_file_name(report)
    storage = StatusReport._meta.get_field("pdf").storage
    with transaction.atomic():
        locked = StatusReport.objects.select_for_update().get(pk=report.pk)
        if locked.state != ReportState.RENDERING:
            return locked.state
        # One file per report: whatever an earlier run left under either name goes first.
        for old in {locked.pdf.name or "", name} - {""}:
            if storage.exists(old):
                storage.delete(old)
        locked.pdf.save(name, ContentFile(content), save=False)
        locked.snapshot = snapshot
        locked.pdf_pages = _page_count(content)
        locked.pdf_size = len(content)
        locked.state = ReportState.READY
        locked.stage = str(_("Ferdig"))
        locked.progress = 100
        locked.rendered_at = locked.finished_at = timezone.now()
        locked.save()
    return ReportState.READY


def _publish(report: StatusReport, render: Callable[..., bytes]) -> str:
    """The worker's half of publishing: the final PDF from the stored snapshot, without
    the watermark, stored under ``published_file_name``; then in one transaction the
    report is PUBLISHED and the draft's file goes once that has committed. Any failure
    puts it back to READY (the draft and its file as they were) with the error."""
    name = published_file_name(report)
    storage = StatusReport._meta.get_field("pdf").storage
    stored = ""
    try:
        snapshot = report.snapshot
        if not snapshot:  # publish_validate refused it; a row changed by hand since
            raise ValidationError("the report has no snapshot to publish")
        with translation.override(settings.LANGUAGE_CODE):
            _record(report, "layout", text=str(_("Publiserer: setter opp PDF-en")))
            content = render(
                PDF_TEMPLATE,
                status_report_pdf_context(snapshot=snapshot, draft=False),
                stylesheet=PDF_STYLESHEET,
                timeout=settings.REPORT_PDF_TIMEOUT,
            )
            _record(report, "store", text=str(_("Publiserer: lagrer PDF-en")))
            with transaction.atomic():
                locked = StatusReport.objects.select_for_update().get(pk=report.pk)
                if locked.state != ReportState.PUBLISHING:
                    return locked.state
                draft = locked.pdf.name
                if storage.exists(name):  # left by an earlier run that did not commit
                    storage.delete(name)
                # Straight to the storage: the field's upload_to names drafts.
                stored = storage.save(name, ContentFile(content))
                locked.pdf.name = stored
                locked.pdf_pages = _page_count(content)
                locked.pdf_size = len(content)
                locked.state = ReportState.PUBLISHED
                locked.published_at = locked.finished_at = timezone.now()
                locked.stage = str(_("Publisert"))
                locked.progress = 100
                locked.save()
                if draft and draft != stored:
                    transaction.on_commit(lambda: storage.delete(draft))
    except Exception as error:
        if stored and storage.exists(stored):
            storage.delete(stored)
        if isinstance(error, PdfRenderError):
            message = str(error)
        else:
            logger.exception("Status report %s could not be published", report.pk)
            message = _(
                "Rapporten kunne ikke publiseres på grunn av en feil (%(kind)s). Utkastet er "
                "som før. Prøv igjen; gjentar feilen seg, kontakt brukerstøtte."
            ) % {"kind": type(error).__name__}
        _publish_fail(report, message)
        return ReportState.READY
    return ReportState.PUBLISHED


def _publish_fail(report: StatusReport, message: str) -> None:
    StatusReport.objects.filter(pk=report.pk, state=ReportState.PUBLISHING).update(
        state=ReportState.READY,
        error=message,
        published_by=None,
        stage=str(_("Publisering feilet")),
        progress=100,
        finished_at=timezone.now(),
    )


def _fail(report: StatusReport, message: str) -> None:
    StatusReport.objects.filter(pk=report.pk, state=ReportState.RENDERING).update(
        state=ReportState.FAILED, error=message, finished_at=timezone.now()
    )


def _page_count(content: bytes) -> int:
    """Pages in a PDF. PDFium (pypdfium2) opens it in C in a millisecond; pypdf took half
    a second per report to reach the page tree's count."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        return len(document)
    finally:
        document.close()
