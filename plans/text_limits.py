"""Every free-text field has a maximum length, enforced in three places from one number.

A 1 MiB note was once accepted and then took minutes to lay out as a PDF. So a text field
is declared with ``bounded_text`` (the form gets ``maxlength`` and a form error, and
``full_clean`` — which every service runs — refuses it with the field named), and the
model's ``Meta.constraints`` carries ``text_length_checks`` for the same numbers, so a raw
ORM write or a bulk update is refused by the database too. A test
(``tests/plans/test_text_limits.py``) keeps the field and the constraint in step.

Services that take a bare string instead of a model instance call
``check_text_lengths`` before they write; migrations that add the constraints run
``refuse_overlong_rows`` first, so existing text is never cut short silently.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

# A goal, a quote, a statement, a comment: a paragraph or two.
SHORT_TEXT = 2_000
# A description, a reflection, an evaluation: about two pages.
TEXT = 5_000
# A plan's introduction or purpose, a unit plan's evaluation of the year.
LONG_TEXT = 10_000


def bounded_text(verbose_name: Any, *, max_length: int, **kwargs: Any) -> models.TextField:
    """A TextField that refuses text longer than ``max_length`` in forms and full_clean.

    Django's TextField passes ``max_length`` to the form only; the validator makes the
    model (and so every service) refuse it as well, as CharField does."""
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        **kwargs,
    )


def text_length_checks(**limits: int) -> list[models.CheckConstraint]:
    """The database's half of ``bounded_text``: one CHECK per field and limit."""
    return [
        models.CheckConstraint(
            condition=models.Q(LessThanOrEqual(Length(field), limit)),
            name=f"%(app_label)s_%(class)s_{field}_length",
            violation_error_message=_("Teksten er for lang."),
        )
        for field, limit in limits.items()
    ]


def check_text_lengths(model: type[models.Model], **values: str) -> None:
    """Refuse, with the field named in Norwegian, any value longer than its field allows.

    For services that receive bare strings (a comment, a commentary) rather than a model
    instance they ``full_clean``."""
    errors: dict[str, ValidationError] = {}
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)  # type: ignore[union-attr]
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)


def refuse_overlong_rows(apps, schema_editor, app_label: str) -> None:
    """Run in a migration before the length constraints are added: fail loudly, naming
    the table, field and rows, if any stored text is longer than its new limit."""
    problems = []
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.TextField) or field.max_length is None:
                continue
            over = (
                model._default_manager.annotate(_length=Length(field.name))
                .filter(_length__gt=field.max_length)
                .values_list("pk", flat=True)
            )
            pks = list(over[:20])
            if pks:
                problems.append(
                    f"{model._meta.label}.{field.name} (over {field.max_length} tegn): "
                    f"id {', '.join(map(str, pks))}"
                )
    if problems:
        raise RuntimeError(
            "Noen tekster er lengre enn den nye grensen og ville blitt avvist. Kort dem ned "
            "(eller hev grensen i modellen) før migreringen kjøres: " + "; ".join(problems)
        )


def max_length_of(model: type[models.Model], name: str) -> int:
    """A field's limit, for a plain form field that edits it (one number, the model's)."""
    limit = getattr(model._meta.get_field(name), "max_length", None)
    if limit is None:
        raise ValueError(f"{model._meta.label}.{name} has no max_length")
    return int(limit)
