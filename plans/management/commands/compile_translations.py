"""Compile the portal's .po catalogues to .mo with polib, so a machine without GNU gettext
(only Python) can still run the portal in nynorsk and English."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Kompilerer oversettelsene i locale/ (nn, en) til .mo-filer."

    def handle(self, *args, **options):
        catalogues = sorted(
            Path(p) for base in settings.LOCALE_PATHS for p in Path(base).glob("*/LC_MESSAGES/*.po")
        )
        if not catalogues:
            raise CommandError("Fant ingen .po-filer i LOCALE_PATHS.")
        for po_path in catalogues:
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(
                f"{po_path}: {len(catalogue.translated_entries())} oversatt, "
                f"{len(catalogue.untranslated_entries())} uoversatt, "
                f"{len(catalogue.fuzzy_entries())} usikre"
            )
