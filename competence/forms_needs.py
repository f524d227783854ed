"""Forms for needs surveys: the import's first step and the coverage page's selector."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from competence.models import NeedSurvey
from competence.services.needs_import import MAX_BYTES, SURVEY_NAME_MAX_LENGTH
from plans.schoolyear import SchoolYear


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NeedsImportForm(forms.Form):
    name = forms.CharField(
        label=_("Navn på kartleggingen"),
        max_length=SURVEY_NAME_MAX_LENGTH,
        help_text=_("For eksempel «KOSIP november 2026»."),
    )
    conducted_on = forms.DateField(
        label=_("Gjennomført"),
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    school_year = forms.CharField(
        label=_("Gjelder barnehage- og skoleår"),
        max_length=7,
        help_text=_(
            "Året tiltakene som skal dekke behovene, planlegges for, for eksempel 2027/28."
        ),
    )
    file = forms.FileField(
        label=_("CSV-fil med resultatene"),
        # The import explains an empty file in its own words, with the other file checks.
        allow_empty_file=True,
        help_text=_("Kolonnene enhetstype, tema, andel og eventuelt antall_svar. Høyst 2 MB."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["school_year"].initial = SchoolYear.current().next().label
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if NeedSurvey.objects.filter(municipality=self.municipality, name__iexact=name).exists():
            raise forms.ValidationError(
                _("Kommunen har allerede en kartlegging som heter «%(name)s». Velg et annet navn."),
                params={"name": name},
            )
        return name

    def clean_school_year(self) -> int:
        text = self.cleaned_data["school_year"]
        try:
            year = SchoolYear.parse(text).start_year
        except ValueError:
            year = None
        if year is None or not 2000 <= year <= 2100:
            raise forms.ValidationError(
                _("Skriv barnehage- og skoleåret som for eksempel 2027/28.")
            )
        return year

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "Filen er større enn 2 MB. Del den opp i mindre filer og importer dem hver "
                    "for seg."
                )
            )
        return upload


class SurveyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.conducted_on:%d.%m.%Y})"


class CoverageFilterForm(forms.Form):
    survey = SurveyChoiceField(
        label=_("Kartlegging"), queryset=NeedSurvey.objects.none(), empty_label=None
    )
    school_year = forms.TypedChoiceField(
        label=_("Tiltak i barnehage- og skoleåret"), coerce=int, required=False
    )

    def __init__(self, *args, surveys, years, **kwargs):
        super().__init__(*args, **kwargs)
        survey_field = self.fields["survey"]
        year_field = self.fields["school_year"]
        assert isinstance(survey_field, forms.ModelChoiceField)
        assert isinstance(year_field, forms.TypedChoiceField)
        survey_field.queryset = surveys
        year_field.choices = [
            ("", _("Året kartleggingen gjelder")),
            *((year, SchoolYear(year).label) for year in years),
        ]
