"""Form fields several plans forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from plans.converters import ID_MAX


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that refuses an id beyond bigint as an invalid
    choice (Django's «Velg et gyldig valg …») before it reaches the database, where it
    would be an OverflowError on SQLite and an error on PostgreSQL: a forged form gets a
    form error, never a 500 (the URLs' ``<id:pk>`` does the same for paths)."""

    def _check_values(self, value):
        for item in value or ():
            try:
                number = int(str(item))
            except ValueError:
                continue  # not a number: the parent refuses it as an invalid value
            if not -ID_MAX - 1 <= number <= ID_MAX:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)  # type: ignore[misc]
