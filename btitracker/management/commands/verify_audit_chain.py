"""Recompute the BTI access log's hash chain; exit non-zero at the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from btitracker.audit import verify_chain


class Command(BaseCommand):
    help = "Kontrollerer hash-kjeden i BTI-tilgangsloggen."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"Tilgangsloggen er brutt ved rad {broken.event_id}: {broken.reason} "
                f"({checked} rader før den er i orden)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Tilgangsloggen er hel: {checked} rader kontrollert.")
        )
