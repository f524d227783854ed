"""Typed readers for settings taken from the environment.

Each reader refuses a malformed value with an ``ImproperlyConfigured`` that names the
variable, the value it got and what it expects, so a typo in a deployment fails at start
instead of turning into odd behaviour later.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The readers are named after the types they return; these aliases keep the builtin types
# reachable inside the class, where the method names shadow them.
Text = str
Integer = int
Boolean = bool
TextList = list[str]

_TRUE = {"1", "true", "yes", "on", "ja"}
_FALSE = {"0", "false", "no", "off", "nei"}


class Env:
    """Reads variables from a mapping (``os.environ`` unless a test passes another)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: Text) -> Text | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: Text) -> Boolean:
        return self.raw(name) is not None

    def fail(self, name: Text, value: Text, expected: Text) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Ugyldig verdi for {name}: {value!r}. Forventet {expected}.")

    def str(self, name: Text, default: Text | None = None) -> Text | None:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: Text, default: Boolean) -> Boolean:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise self.fail(name, value, "true eller false (også 1/0, yes/no, on/off, ja/nei)")

    def int(self, name: Text, default: Integer, *, minimum: Integer | None = None) -> Integer:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = Integer(value)
        except ValueError:
            raise self.fail(name, value, "et heltall") from None
        if minimum is not None and number < minimum:
            raise self.fail(name, value, f"et heltall på minst {minimum}")
        return number

    def list(self, name: Text, default: TextList) -> TextList:
        value = self.raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(item == "" for item in items):
            raise self.fail(name, value, "en kommaseparert liste uten tomme elementer")
        return items

    def header(self, name: Text) -> Text | None:
        """An HTTP request header name (``X-Forwarded-For``) as Django's ``request.META``
        key (``HTTP_X_FORWARDED_FOR``), or None when unset."""
        value = self.raw(name)
        if value is None:
            return None
        if not re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", value):
            raise self.fail(name, value, "et HTTP-hodenavn, for eksempel X-Forwarded-For")
        return "HTTP_" + value.upper().replace("-", "_")

    def choice(self, name: Text, default: Text, choices: tuple[Text, ...]) -> Text:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() not in choices:
            raise self.fail(name, value, "én av " + ", ".join(choices))
        return value.lower()

    def url(
        self, name: Text, schemes: tuple[Text, ...], default: Text | None = None
    ) -> Text | None:
        value = self.raw(name)
        if value is None:
            return default
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise self.fail(
                name,
                value,
                "en URL som begynner med " + " eller ".join(f"{scheme}://" for scheme in schemes),
            )
        if parts.scheme != "sqlite" and not parts.hostname:
            raise self.fail(name, value, f"en URL med vertsnavn, f.eks. {schemes[0]}://127.0.0.1/")
        return value
