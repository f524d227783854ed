"""``manage.py import_indicators FILE``: the same import as the upload page, from a shell."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from indicators.models import ImportStatus
from indicators.selectors.parsers import batch_needs_mapping, parser_format_label
from indicators.services.imports import batch_commit, batch_create, batch_parse
from plans.models import Municipality


class _DryRun(Exception):
    """Raised to roll the dry run's transaction back."""


class Command(BaseCommand):
    help = (
        "Importerer en fil med tall fra SSB, Udir, FHI, Ungdata, Kommunebarometeret eller "
        "portalens mal: leser filen, viser nye, endrede, uendrede og avviste rader og de "
        "første feilene, og lagrer tallene (ikke med --dry-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Filen som skal importeres.")
        parser.add_argument(
            "--municipality",
            help=(
                "Kommunenummeret importen føres på (for eksempel 3236): da lagres bare "
                "kommunens egne tall og, fra kildens egne filer, felles tall for land, fylke "
                "og KOSTRA-gruppe. Uten: en import for hele installasjonen, som lagrer alt."
            ),
        )
        parser.add_argument("--user", help="Brukernavnet importen føres på. Valgfritt.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Les og sammenlign filen, men lagre ingenting.",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Finner ikke filen {path}.")
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(number=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Finner ingen kommune med nummer {options['municipality']}.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Finner ingen bruker med brukernavnet {options['user']}.")
        content = path.read_bytes()

        if options["dry_run"]:
            stored = None
            try:
                with transaction.atomic():
                    batch = self._preview(content, path.name, user, municipality)
                    stored = batch.stored_file
                    raise _DryRun
            except _DryRun:
                pass
            finally:
                if stored:
                    stored.storage.delete(stored.name)
            if batch.status == ImportStatus.FAILED:
                raise CommandError(self._failure(batch, link=False))
            self.stdout.write("Prøvekjøring: ingenting er lagret.")
            return

        batch = self._preview(content, path.name, user, municipality)
        if batch.status == ImportStatus.FAILED:
            raise CommandError(self._failure(batch))
        try:
            batch = batch_commit(batch=batch, user=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Lagret: {batch.rows_new} nye og {batch.rows_changed} endrede tall "
                f"(import nr. {batch.pk})."
            )
        )

    def _preview(self, content: bytes, name: str, user, municipality):
        try:
            batch = batch_create(content=content, name=name, user=user, municipality=municipality)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        batch = batch_parse(batch=batch, progress=self._progress)
        if batch.status == ImportStatus.PREVIEW:
            self._report(batch)
        return batch

    def _progress(self, stage: str, percent: int) -> None:
        if self.verbosity >= 2:
            self.stderr.write(f"{percent:>3} % {stage}")

    def _report(self, batch) -> None:
        write = self.stdout.write
        write(f"Fil: {batch.file_name}")
        write(f"Format: {parser_format_label(name=batch.detected_format)}")
        if batch.source:
            write(f"Kilde: {batch.source.name}")
        write(
            f"Rader: {batch.rows_total} – {batch.rows_new} nye, {batch.rows_changed} endrede, "
            f"{batch.rows_unchanged} uendrede, {batch.rows_rejected} avviste."
        )
        for entry in batch.skipped or []:
            lines = ", ".join(str(line) for line in entry["lines"])
            write(f"Utelatt: {entry['count']} rader. {entry['reason']} Første linjer: {lines}.")
        if batch.problems:
            shown = len(batch.problems)
            heading = "Avviste rader" + (
                f" (de første {shown} av {batch.rows_rejected})"
                if batch.rows_rejected > shown
                else ""
            )
            write(f"{heading}:")
            for problem in batch.problems:
                place = f"linje {problem['line']}" if problem.get("line") else "filen"
                column = f", kolonne «{problem['column']}»" if problem.get("column") else ""
                value = f", verdi «{problem['value']}»" if problem.get("value") else ""
                write(f"  {place}{column}{value}: {problem['reason']}")

    def _failure(self, batch, *, link: bool = True) -> str:
        message = f"Filen kunne ikke importeres: {batch.error}"
        if link and batch_needs_mapping(batch=batch):
            path = reverse("indicators:import-mapping", args=[batch.pk])
            message += f" Angi kolonneoppsettet på {path} i portalen."
        return message
