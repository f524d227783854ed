"""``manage.py requeue_reports``: send again every status report still waiting in the
queued state (ordered while Redis was down, or lost by the broker)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.services.status_reports import status_report_requeue


class Command(BaseCommand):
    help = "Sender tilstandsrapporter som står i kø, til køen på nytt."

    def handle(self, *args, **options) -> None:
        sent = status_report_requeue()
        self.stdout.write(f"{sent} rapport(er) sendt til køen.")
