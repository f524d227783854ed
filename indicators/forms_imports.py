"""Forms for importing indicator files: the upload and the mapping step."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from indicators.models import PlaceLevel
from indicators.selectors.parsers import file_size_limit_text, file_too_big_message
from indicators.services.imports import SOURCE_NAMES

ACCEPTED_TYPES = ".csv,.txt,.tsv,.json,.xlsx,text/csv,application/json"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        # The import explains an empty file in its own words, with the other file checks.
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.widget.attrs["accept"] = ACCEPTED_TYPES
        field.help_text = _(
            "CSV, JSON-stat eller XLSX slik SSB, Udir og FHI leverer filene, en Ungdata-tabell "
            "eller portalens egen mal. Høyst %(limit)s MB."
        ) % {"limit": file_size_limit_text(limit=settings.INDICATOR_IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.INDICATOR_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(file_too_big_message(size=upload.size, limit=limit))
        return upload


def _source_choices():
    return [(code, name) for code, (name, _url) in SOURCE_NAMES.items()]


class ColumnMappingForm(forms.Form):
    """Which column is what, for a layout the importer does not know."""

    name = forms.CharField(
        label=_("Navn på oppsettet"),
        max_length=120,
        help_text=_("Oppsettet lagres, og neste fil med de samme kolonnene leses med det."),
    )
    source = forms.ChoiceField(label=_("Kilde"), choices=_source_choices)
    indicator_code = forms.CharField(
        label=_("Indikatorkode"),
        max_length=120,
        help_text=_("En kort, fast kode, for eksempel «trivsel-7-trinn»."),
    )
    indicator_name = forms.CharField(label=_("Indikatornavn"), max_length=300)
    place_code = forms.ChoiceField(label=_("Kolonne med stedskode"))
    place_name = forms.ChoiceField(label=_("Kolonne med stedsnavn"), required=False)
    place_level_column = forms.ChoiceField(
        label=_("Kolonne med stedsnivå"),
        required=False,
        help_text=_("Tom: alle radene har nivået under."),
    )
    place_level = forms.ChoiceField(
        label=_("Stedsnivå"),
        choices=[
            ("", _("Ut fra koden (0 land, 2 siffer fylke, 4 siffer kommune, 9 siffer enhet)")),
            *PlaceLevel.choices,
        ],
        required=False,
    )
    period = forms.ChoiceField(label=_("Kolonne med periode"))
    subgroups = forms.MultipleChoiceField(
        label=_("Kolonner med undergrupper"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For eksempel kjønn, trinn eller aldersgruppe."),
    )
    value = forms.ChoiceField(label=_("Kolonne med verdi"))
    status = forms.ChoiceField(
        label=_("Kolonne med status eller symbol"),
        required=False,
        help_text=_("For eksempel «:» for skjult eller «..» for manglende tall."),
    )

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(header, header) for header in headers]
        optional = [("", _("(ingen)")), *columns]
        for name in ("place_code", "period", "value"):
            self.fields[name].choices = [("", _("Velg kolonne")), *columns]
        for name in ("place_name", "place_level_column", "status"):
            self.fields[name].choices = optional
        self.fields["subgroups"].choices = columns

    def clean(self):
        data = super().clean()
        chosen = [data.get(name) for name in ("place_code", "period", "value") if data.get(name)]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(
                _("Sted, periode og verdi må være tre forskjellige kolonner.")
            )
        overlap = set(data.get("subgroups") or []) & set(chosen)
        if overlap:
            raise forms.ValidationError(
                _(
                    "Kolonnen «%(column)s» kan ikke både være en undergruppe og sted, periode "
                    "eller verdi."
                )
                % {"column": sorted(overlap)[0]}
            )
        return data

    def columns(self) -> dict:
        data = self.cleaned_data
        # The keys ``indicators.parsing.mapped`` reads.
        return {
            "place_code": data["place_code"],
            "place_name": data.get("place_name") or "",
            "place_level": data.get("place_level_column") or "",
            "fixed_place_level": data.get("place_level") or "",
            "period": data["period"],
            "subgroup": list(data.get("subgroups") or []),
            "value": data["value"],
            "status": data.get("status") or "",
        }


class PlaceMappingForm(forms.Form):
    """The place (and year) for a known layout that does not say them, such as an Ungdata
    report table."""

    name = forms.CharField(
        label=_("Navn på oppsettet"),
        max_length=120,
        help_text=_("Oppsettet lagres, og neste tabell med de samme kolonnene leses med det."),
    )
    place_level = forms.ChoiceField(
        label=_("Stedsnivå"), choices=PlaceLevel.choices, initial=PlaceLevel.MUNICIPALITY
    )
    place_code = forms.CharField(
        label=_("Stedskode"),
        max_length=40,
        help_text=_("Kommunenummer (3236), fylkesnummer (32), 0 for hele landet."),
    )
    place_name = forms.CharField(label=_("Stedsnavn"), max_length=200)
    period = forms.CharField(
        label=_("År"),
        max_length=20,
        required=False,
        help_text=_(
            "Året undersøkelsen ble gjort, for eksempel 2024 eller 2023–2024. Trengs bare når "
            "kolonnene i tabellen ikke er år."
        ),
    )
    indicator_code = forms.CharField(label=_("Indikatorkode"), max_length=120, required=False)
    indicator_name = forms.CharField(label=_("Indikatornavn"), max_length=300, required=False)

    def __init__(self, *args, asks_period: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not asks_period:
            del self.fields["period"]

    def clean(self):
        from indicators.parsing.cellvalues import CellError, normalise_place_code, parse_period

        data = super().clean()
        if data.get("place_level") and data.get("place_code"):
            try:
                data["place_code"] = normalise_place_code(data["place_level"], data["place_code"])
            except CellError as error:
                self.add_error("place_code", error.reason)
        if data.get("period"):
            try:
                parse_period(data["period"])
            except CellError as error:
                self.add_error("period", error.reason)
        return data

    def columns(self, parser_name: str) -> dict:
        data = self.cleaned_data
        columns = {
            "parser": parser_name,
            "place": [data["place_level"], data["place_code"], data["place_name"]],
        }
        if data.get("period"):
            columns["period"] = data["period"]
        return columns


class IndicatorAreaForm(forms.Form):
    """In an import's preview: the development area an indicator of the file belongs to."""

    indicator_code = forms.CharField(max_length=120, widget=forms.HiddenInput)
    area = forms.ModelChoiceField(
        label=_("Utviklingsområde"),
        queryset=None,
        empty_label=_("Velg utviklingsområde"),
        error_messages={
            "required": _("Velg et utviklingsområde."),
            "invalid_choice": _("Velg et utviklingsområde fra kommunens kvalitetsplan."),
        },
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
