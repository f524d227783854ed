"""The follow-up page's filter: school year and unit kind, by GET. A missing or wrong value
falls back to the current school year or to both kinds, and the form carries the error."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from btitracker.selectors.followup import FOLLOWED_KINDS
from plans.schoolyear import SchoolYear


def _parse_year(value, years: list[int]) -> int | None:
    # The menu sends the start year («2026»); a person may type «2026/27».
    text = str(value or "").strip()[:20]
    try:
        year = int(text) if text.isdigit() else SchoolYear.parse(text).start_year
    except ValueError:
        return None
    return year if year in years else None


class FollowUpFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Skoleår"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Velg et skoleår fra listen.")},
    )
    kind = forms.ChoiceField(
        label=_("Type enhet"),
        required=False,
        error_messages={"invalid_choice": _("Velg barnehager, skoler eller begge.")},
    )

    def __init__(self, data=None, *, years: list[int], current_year: int, **kwargs):
        # Always bound, so the menu shows the year the page shows.
        data = data.copy() if data is not None else {}
        requested = _parse_year(data.get("year"), years)
        if not data.get("year"):
            data["year"] = str(current_year)
        elif requested is not None:
            data["year"] = str(requested)
        super().__init__(data, **kwargs)
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = SchoolYear.choices(years)
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = [
            ("", _("Barnehager og skoler")),
            *[(kind.value, kind.label) for kind in FOLLOWED_KINDS],
        ]
        self.current_year = current_year

    def values(self) -> tuple[int, str]:
        self.is_valid()
        cleaned = self.cleaned_data
        return cleaned.get("year") or self.current_year, cleaned.get("kind") or ""
