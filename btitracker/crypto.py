"""Encryption at rest and the keyed hash for BTI data.

Names, birth dates, guardians' details and the free texts of a log are stored as Fernet
tokens (``MultiFernet``: the first key of ``BTI_ENCRYPTION_KEYS`` encrypts, every key
decrypts, so keys can be rotated with ``manage.py rotate_bti_keys``). A child is found by
an HMAC-SHA256 of the normalised name and birth date under ``BTI_HASH_KEY``; the same
kind of hash pseudonymises the child in the audit log.

Without explicit keys (development and tests) both are derived from ``SECRET_KEY``; the
deploy check ``btitracker.E001`` refuses that in production.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps as global_apps
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from plans.text import name_key

__all__ = [
    "InvalidToken",
    "child_lookup_hash",
    "decrypt",
    "encrypt",
    "fernet",
    "keys_are_explicit",
    "normalise_name",
    "pseudonym",
]


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"bti:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def keys_are_explicit() -> bool:
    return bool(settings.BTI_ENCRYPTION_KEYS) and bool(settings.BTI_HASH_KEY)


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derived("encryption")))])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.BTI_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode("utf-8")


def encrypt_bytes(value: bytes) -> bytes:
    return fernet().encrypt(value)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


def _hash_key() -> bytes:
    if settings.BTI_HASH_KEY:
        return settings.BTI_HASH_KEY.encode("utf-8")
    return _derived("hash")


def normalise_name(name: str) -> str:
    """Case, accents' composition, spacing, hyphens and invisible format characters
    (a zero-width space) do not make a new child: ``plans.text.name_key``."""
    return name_key(name)


def child_lookup_hash(name: str, birth_date: datetime.date) -> str:
    message = f"{normalise_name(name)}|{birth_date.isoformat()}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


def pseudonym(lookup_hash: str) -> str:
    """The child's name in the audit log: a second keyed hash, so the log cannot be
    matched against the children table without the key either."""
    return hmac.new(_hash_key(), f"audit|{lookup_hash}".encode(), hashlib.sha256).hexdigest()[:24]


def token_length(chars: int) -> int:
    """The longest Fernet token of a text of ``chars`` characters: up to four UTF-8 bytes
    a character, padded to 16-byte blocks, with version, time, IV and MAC, in base64."""
    ciphertext = (4 * chars // 16 + 1) * 16
    return 4 * -(-(1 + 8 + 16 + ciphertext + 32) // 3)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the Python value is the plain text.

    ``max_length`` bounds the plain text in characters: forms get it, model
    validation checks it, and the field adds a CHECK constraint on the token's length to
    its model, so not even a raw query can store a longer text."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            self.validators.append(MaxLengthValidator(max_length))

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        # Only the real model declares it; historical models (migrations, SQLite's table
        # rebuilds) take their constraints from the migration state.
        if cls._meta.abstract or self.max_length is None or cls._meta.apps is not global_apps:
            return
        constraint_name = f"bti_{cls._meta.model_name}_{name}_len"[:63]
        if any(c.name == constraint_name for c in cls._meta.constraints):
            return
        cls._meta.constraints = [
            *cls._meta.constraints,
            models.CheckConstraint(
                condition=LessThanOrEqual(Length(name), token_length(self.max_length)),
                name=constraint_name,
            ),
        ]
        # The migration autodetector reads constraints only of models that declare them.
        cls._meta.original_attrs["constraints"] = cls._meta.constraints

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedDateField(models.Field):
    """A date stored as a Fernet token of its ISO form (a text column); the Python value
    is a date."""

    def get_internal_type(self) -> str:
        return "TextField"

    # For django-stubs: the Python side of this text column is a date.
    _pyi_private_set_type: datetime.date | str | None
    _pyi_private_get_type: datetime.date

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return datetime.date.fromisoformat(decrypt(value))

    def to_python(self, value):
        if value is None or isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        return encrypt(value.isoformat())
