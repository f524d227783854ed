"""Re-encrypt every BTI value with the first key of BTI_ENCRYPTION_KEYS (after a new key
was put first); the old keys can be removed afterwards."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from btitracker.crypto import EncryptedDateField, EncryptedTextField, fernet
from btitracker.models import ConcernCase


class Command(BaseCommand):
    help = "Krypterer alle BTI-opplysninger på nytt med den første nøkkelen i BTI_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        rotated = 0
        f = fernet()
        with transaction.atomic():
            for model in apps.get_app_config("btitracker").get_models():
                fields = [
                    field
                    for field in model._meta.concrete_fields
                    if isinstance(field, EncryptedTextField | EncryptedDateField)
                ]
                if not fields:
                    continue
                table = connection.ops.quote_name(model._meta.db_table)
                for field in fields:
                    column = connection.ops.quote_name(field.column)
                    with connection.cursor() as cursor:
                        cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608
                        rows = cursor.fetchall()
                        for pk, token in rows:
                            if not token:
                                continue
                            new = f.rotate(token.encode("ascii")).decode("ascii")
                            cursor.execute(
                                f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                                [new, pk],
                            )
                            rotated += 1
            for case in ConcernCase.objects.exclude(archive=None).only("pk", "archive"):
                ConcernCase.objects.filter(pk=case.pk).update(archive=f.rotate(bytes(case.archive)))
                rotated += 1
        self.stdout.write(self.style.SUCCESS(f"{rotated} verdier kryptert på nytt."))
