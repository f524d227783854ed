"""Names and birth dates are ciphertext in the database, found by the keyed hash; keys
rotate; production refuses derived keys."""

from __future__ import annotations

import datetime

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from btitracker import crypto
from btitracker.checks import bti_keys_set
from btitracker.models import Child
from btitracker.services import cases as services
from tests.bti.helpers import CHILD_NAME


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_database_holds_ciphertext_not_the_name(cast, bti):
    child = bti.case.child
    name, birth, lookup = _raw(
        "SELECT name, birth_date, lookup_hash FROM btitracker_child WHERE id = %s", [child.pk]
    )
    assert "Fiktiv" not in name
    assert "Testesen" not in name
    assert "2016" not in birth
    assert crypto.decrypt(name) == CHILD_NAME
    assert lookup == crypto.child_lookup_hash(CHILD_NAME, datetime.date(2016, 3, 14))
    observation = _raw(
        "SELECT observation FROM btitracker_concern WHERE id = %s", [bti.concern.pk]
    )[0]
    assert "observasjon" not in observation
    guardian_consent = _raw(
        "SELECT given_by FROM btitracker_consent WHERE id = %s", [bti.consent.pk]
    )[0]
    assert "Forelder" not in guardian_consent


def test_the_same_child_is_found_not_duplicated(cast, bti):
    again = services.child_find_or_create(
        municipality=cast.municipality,
        name="fiktiv  testesen",
        birth_date=datetime.date(2016, 3, 14),
    )
    assert again.pk == bti.case.child_id
    assert Child.objects.count() == 1


def test_keys_rotate(cast, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.BTI_ENCRYPTION_KEYS = [old]
    child = services.child_find_or_create(
        municipality=cast.municipality, name="Fiktiv Rotasjon", birth_date=datetime.date(2012, 1, 2)
    )
    settings.BTI_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_bti_keys", verbosity=0)
    settings.BTI_ENCRYPTION_KEYS = [new]
    assert Child.objects.get(pk=child.pk).name == "Fiktiv Rotasjon"


def test_deploy_check_fails_without_explicit_keys(settings):
    # The access log's key and checkpoint place have their own checks (test_hardening).
    settings.BTI_AUDIT_KEY = "a" * 40
    settings.BTI_AUDIT_CHECKPOINT_FILE = "/srv/audit/checkpoints"
    settings.BTI_ENCRYPTION_KEYS = []
    settings.BTI_HASH_KEY = ""
    assert {e.id for e in bti_keys_set(None)} == {"btitracker.E001", "btitracker.E003"}
    settings.BTI_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.BTI_HASH_KEY = "x" * 40
    assert bti_keys_set(None) == []
    settings.BTI_ENCRYPTION_KEYS = ["not-a-key"]
    assert {e.id for e in bti_keys_set(None)} == {"btitracker.E002"}
