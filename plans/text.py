"""Text rules shared by every app: names normalised one way, invisible steering characters
refused, and free texts held to the length their model field allows.

``plans`` is the lowest layer (docs/architecture.md), so units, users, BTI children and
guardians all use these helpers and a name means the same thing everywhere.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _

__all__ = [
    "BIDI_CONTROLS",
    "clean_free_text",
    "max_length_of",
    "name_key",
    "normalise_name",
    "normalise_text",
    "require_lengths",
    "validate_name",
    "validate_text",
]

# Characters that change the direction text is shown in (U+202A–U+202E embeddings and
# overrides, U+2066–U+2069 isolates, the marks). In a name they make "Kari" show as
# something else on screen and in a PDF than what is stored and searched for.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def _steering(value: str) -> list[str]:
    """The direction and control characters in ``value`` (tab, newline, NUL, ESC …)."""
    return [ch for ch in value if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")]


def validate_name(value: str) -> None:
    """Refuse a name with text-direction or control characters. Other invisible format
    characters (zero-width space, soft hyphen, byte order mark) are simply removed by
    :func:`normalise_name`; these are refused, because they change what a reader sees."""
    found = _steering(value)
    if found:
        codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in found}))
        raise ValidationError(
            _(
                "Navnet inneholder usynlige styretegn (%(codes)s) som ikke er tillatt. "
                "Skriv navnet på nytt uten å lime det inn."
            )
            % {"codes": codes},
            code="steering_characters",
        )


def normalise_name(value: str) -> str:
    """The form a name is stored in: Unicode NFC, format characters (zero-width space,
    joiners, soft hyphen, byte order mark) removed, any run of whitespace one space."""
    composed = unicodedata.normalize("NFC", value)
    visible = "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def validate_text(value: str, *, label: str | None = None) -> None:
    """Refuse a free text (a question, an answer, a decision, an assessment) with
    text-direction characters or control characters other than line breaks and tabs: they
    make what is shown differ from what is stored. ``label`` names the field."""
    found = [ch for ch in _steering(value) if ch not in "\n\r\t"]
    if not found:
        return
    codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in found}))
    if label:
        message = _("«%(field)s» inneholder usynlige styretegn (%(codes)s) som ikke er tillatt.")
    else:
        message = _(
            "Teksten inneholder usynlige styretegn (%(codes)s) som ikke er tillatt. "
            "Skriv teksten på nytt uten å lime den inn."
        )
    raise ValidationError(message % {"field": label, "codes": codes}, code="steering_characters")


def normalise_text(value: str) -> str:
    """The form a free text is stored in: Unicode NFC, format characters removed, line
    breaks as ``\n``, no trailing spaces on a line, at most one empty line in a row, and
    no blank lines at the start or end."""
    composed = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    visible = "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")
    lines = [line.rstrip() for line in visible.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def name_key(value: str) -> str:
    """The form a name is compared and hashed in: normalised, compatibility characters
    folded (NFKC: a full-width «Ｋ» is «K»), case folded, and hyphens as spaces, so
    «Kari-Anne» and «kari anne» are the same child."""
    folded = unicodedata.normalize("NFKC", normalise_name(value)).casefold()
    return " ".join(folded.replace("-", " ").split())


def max_length_of(model: type[models.Model], field: str) -> int:
    """The longest text ``model.field`` takes, for forms and services to share."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit is None:
        raise ValueError(f"{model.__name__}.{field} has no max_length")
    return int(limit)


def require_lengths(model: type[models.Model], **values: str | None) -> None:
    """Raise one ValidationError naming every field of ``model`` whose value is longer
    than the field's ``max_length``, so a service refuses an oversized text with the
    same limit as its form and its database column."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        limit = max_length_of(model, name)
        if value is not None and len(value) > limit:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
            errors[name] = _(
                "«%(field)s» kan ikke være lengre enn %(limit)s tegn (teksten har %(length)s)."
            ) % {
                "field": label[:1].upper() + label[1:],
                "limit": number_format(limit, force_grouping=True),
                "length": number_format(len(value), force_grouping=True),
            }
    if errors:
        raise ValidationError(errors)


def clean_free_text(value: str, *, label: str) -> str:
    """A paragraph text as stored (``normalise_text``), refused as ``validate_text``
    refuses it, naming the field (``label``)."""
    validate_text(value, label=label)
    return normalise_text(value)
