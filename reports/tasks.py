"""Celery adapters for the status reports: they take ids and call
``reports.services.status_reports``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reports.services import status_reports as services


@shared_task(
    bind=True,
    name="reports.render_status_report",
    # The outcome lives on the report row; not touching the result backend also keeps an
    # order from failing on it while Redis is down.
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TASK_TIME_LIMIT,
)
def render_status_report(self, report_id: int) -> str:
    """Render one report to its stored PDF. A worker killed mid-render leaves the
    message unacknowledged, so it is delivered again and the rerun replaces what the
    first run left; a finished or published report is left alone."""
    return services.status_report_render(report_id=report_id, task_id=self.request.id or "")


@shared_task(name="reports.requeue_status_reports", ignore_result=True)
def requeue_status_reports() -> int:
    """Queued by beat: send again the reports ordered while the broker was down."""
    return services.status_report_requeue(older_than=services.STALE_AFTER)


@shared_task(name="reports.send_question_notice", ignore_result=True)
def send_question_notice(question_id: int) -> int:
    """Tell the sector leaders a question was asked. Sends nothing once it is answered
    (a retry after the answer would only confuse)."""
    from reports.models import Question
    from reports.services.council import question_notice_send

    question = (
        Question.objects.select_related("report_year")
        .filter(pk=question_id, answered_at__isnull=True)
        .first()
    )
    if question is None:
        return 0
    return question_notice_send(question=question)
