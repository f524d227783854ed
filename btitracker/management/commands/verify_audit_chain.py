"""Recompute the BTI access log's keyed hash chain and compare it with the checkpoints
outside the database; exit non-zero at the first break."""

from django.core.management.base import BaseCommand, CommandError

from btitracker.audit import CheckpointError, checkpoint_path, checkpoints_read, verify_chain


class Command(BaseCommand):
    help = "Kontrollerer hash-kjeden i BTI-tilgangsloggen mot kontrollpunktene."

    def handle(self, *args, **options):
        try:
            checked, broken = verify_chain()
            points = len(checkpoints_read())
        except CheckpointError as error:
            raise CommandError(f"Kontrollpunktene kan ikke brukes: {error}") from None
        if broken is not None:
            raise CommandError(
                f"Tilgangsloggen er brutt ved rad {broken.event_id}: {broken.reason} "
                f"({checked} rader før den er i orden)."
            )
        if points == 0:
            self.stderr.write(
                self.style.WARNING(
                    f"Ingen kontrollpunkter i {checkpoint_path()}: at de siste radene ikke "
                    "er slettet, kan ikke kontrolleres."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Tilgangsloggen er hel: {checked} rader kontrollert mot {points} kontrollpunkter."
            )
        )
