"""Re-normalise every child's stored name and lookup hash with the current name rules
(run once after upgrading; safe to run again)."""

from django.core.management.base import BaseCommand, CommandError

from btitracker.services.cases import children_rehash


class Command(BaseCommand):
    help = "Normaliserer barnas navn og oppslagshash på nytt etter gjeldende navneregler."

    def handle(self, *args, **options):
        result = children_rehash()
        self.stdout.write(f"{result.changed} barn oppdatert.")
        if result.duplicates:
            pairs = ", ".join(f"{a} og {b}" for a, b in result.duplicates)
            raise CommandError(
                "Disse barna er samme barn etter normaliseringen og må slås sammen av en "
                f"person (nr.): {pairs}. De er ikke endret."
            )
