"""Append the BTI access log's row count and head hash to the checkpoint file (the same
as the nightly Celery job ``btitracker.audit_checkpoint``)."""

from django.core.management.base import BaseCommand

from btitracker.audit import checkpoint_path, checkpoint_write


class Command(BaseCommand):
    help = "Skriver et kontrollpunkt for BTI-tilgangsloggen (antall rader og siste hash)."

    def handle(self, *args, **options):
        point = checkpoint_write()
        if point is None:
            self.stdout.write("Tilgangsloggen er tom; ingen kontrollpunkt skrevet.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Kontrollpunkt skrevet til {checkpoint_path()}: {point.count} rader, "
                f"siste rad {point.last_id}."
            )
        )
