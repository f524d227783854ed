"""Forms for the annual wheel: an event, the wheel's filter and a new feed."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from competence.calendar import kind_choices
from competence.models import CalendarEvent, FeedScope
from plans.schoolyear import SchoolYear

# The year menu offers a few years back and ahead; the previous/next links reach further.
YEARS_BACK = 3
YEARS_AHEAD = 2
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalendarEventForm(forms.ModelForm):
    class Meta:
        model = CalendarEvent
        fields = ("kind", "title", "starts_on", "ends_on", "audience", "description")
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "ends_on": _("Tomt for hendelser som varer én dag."),
        }
        error_messages = {
            "starts_on": {"invalid": _("Skriv en gyldig dato, for eksempel 15.09.2026.")},
            "ends_on": {"invalid": _("Skriv en gyldig dato, for eksempel 15.09.2026.")},
        }

    def clean(self):
        cleaned = super().clean()
        starts_on = self.cleaned_data.get("starts_on")
        ends_on = self.cleaned_data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Sluttdatoen kan ikke være før startdatoen."))
        return cleaned


def _parse_year(value) -> int | None:
    # The menu and the wheel's links send the start year («2026»); a person may type «2026/27».
    text = str(value or "").strip()
    try:
        year = int(text) if text.isdigit() else SchoolYear.parse(text).start_year
    except ValueError:
        return None
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None


class WheelFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Barnehage- og skoleår"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Velg et barnehage- og skoleår fra listen.")},
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        error_messages={"invalid_choice": _("Velg en type fra listen.")},
    )

    def __init__(self, data=None, *, current_year: int, **kwargs):
        # Always bound, so the menu shows the year the page shows: the current one when
        # none is asked for. "2026/27" and "2026" name the same year; the menu's values
        # are start years.
        data = data.copy() if data is not None else {}
        requested = _parse_year(data.get("year"))
        if not data.get("year"):
            data["year"] = str(current_year)
        elif requested is not None:
            data["year"] = str(requested)
        super().__init__(data, **kwargs)
        years = set(range(current_year - YEARS_BACK, current_year + YEARS_AHEAD + 1))
        if requested is not None:
            years.add(requested)
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = SchoolYear.choices(years)
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = [("", _("Alle typer")), *kind_choices()]
        self.current_year = current_year

    def values(self) -> tuple[int, str]:
        """The chosen (school year, kind); a missing or wrong value falls back to the
        current year or to every kind, and the form carries the error to show."""
        self.is_valid()
        cleaned = self.cleaned_data
        return cleaned.get("year") or self.current_year, cleaned.get("kind") or ""


class FeedCreateForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Hva skal kalenderen vise?"),
        choices=FeedScope.choices,
        widget=forms.RadioSelect,
        initial=FeedScope.PERSONAL,
        error_messages={
            "required": _("Velg hva kalenderen skal vise."),
            "invalid_choice": _("Velg hva kalenderen skal vise."),
        },
    )
