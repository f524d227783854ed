"""Forms for activities, sessions, attendance and feedback. Every choice list is limited
to the activity's municipality: its units, people, schemes, themes and plan in force."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competence.models import Activity, Feedback, FundingScheme, Session, Theme
from plans.models import CoreComponent, DevelopmentArea, Membership, Role, Unit, UnitKind
from plans.schoolyear import SchoolYear
from plans.text_limits import max_length_of

# Roles an activity can be meant for; elected officials and data admins are not staff.
TARGET_ROLES = [
    (role, label)
    for role, label in Role.choices
    if role in {Role.SECTOR_LEADER, Role.UNIT_LEADER, Role.STAFF, Role.BTI_COORDINATOR}
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def school_year_choices(around: int | None = None, extra: int | None = None):
    current = around or SchoolYear.current().start_year
    years = set(range(current - 4, current + 3))
    if extra is not None:
        years.add(extra)
    return SchoolYear.choices(years)


def municipality_people(municipality):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(municipality=municipality).values("user_id"),
        )
        .order_by("first_name", "last_name", "username")
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ActivityForm(forms.ModelForm):
    school_year = forms.TypedChoiceField(label=_("Barnehage- og skoleår"), coerce=int)
    target_kinds = forms.MultipleChoiceField(
        label=_("Målgruppe: enhetstyper"),
        choices=UnitKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_roles = forms.MultipleChoiceField(
        label=_("Målgruppe: roller"),
        choices=TARGET_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_themes = forms.CharField(
        label=_("Nye temaer"),
        required=False,
        max_length=500,
        help_text=_("Skill flere temaer med komma."),
    )
    organisers = PersonChoiceField(
        label=_("Arrangøransvarlige"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("De som fører oppmøte og ser påmeldingene."),
    )

    class Meta:
        model = Activity
        fields = (
            "school_year",
            "form",
            "title",
            "content",
            "themes",
            "new_themes",
            "target_kinds",
            "target_units",
            "target_roles",
            "target_description",
            "organiser_units",
            "partners",
            "organisers",
            "areas",
            "components",
            "place",
            "funding_scheme",
            "budget",
            "spent",
        )
        widgets = {
            "content": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "target_units": _("Velg enheter når tiltaket bare er for noen av dem."),
            "budget": _("Planlagt kostnad."),
            "spent": _("Det som er brukt så langt."),
        }

    def __init__(self, *args, municipality, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        instance_year = self.instance.school_year if self.instance.pk else None
        self.fields["school_year"].choices = school_year_choices(extra=instance_year)
        if not self.instance.pk:
            self.initial.setdefault("school_year", SchoolYear.current().start_year)
        units = Unit.objects.filter(municipality=municipality, active=True).order_by("name")
        self.fields["target_units"].queryset = units
        self.fields["organiser_units"].queryset = units
        self.fields["themes"].queryset = Theme.objects.filter(municipality=municipality)
        self.fields["organisers"].queryset = municipality_people(municipality)
        self.fields["funding_scheme"].queryset = FundingScheme.objects.filter(
            municipality=municipality, active=True
        )
        if plan is None:
            self.fields["areas"].queryset = DevelopmentArea.objects.none()
            self.fields["components"].queryset = CoreComponent.objects.none()
        else:
            self.fields["areas"].queryset = DevelopmentArea.objects.filter(plan=plan)
            self.fields["components"].queryset = CoreComponent.objects.filter(
                area__plan=plan
            ).select_related("area")

    def clean_new_themes(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["new_themes"].split(",")]
        names = [name for name in names if name]
        for name in names:
            if len(name) > 120:
                raise forms.ValidationError(_("Et tema kan ha høyst 120 tegn."))
            if name[0] in "=+-@":
                raise forms.ValidationError(
                    _("Et tema kan ikke begynne med «%(sign)s».") % {"sign": name[0]}
                )
        return names

    def clean(self):
        cleaned = super().clean()
        components = cleaned.get("components") or []
        areas = cleaned.get("areas")
        if components and areas is not None:
            missing = {component.area for component in components} - set(areas)
            if missing:
                cleaned["areas"] = [*areas, *sorted(missing, key=lambda area: area.order)]
        return cleaned

    def m2m_data(self) -> dict:
        data = {field: self.cleaned_data.get(field, []) for field in self.Meta.fields}
        themes = list(data["themes"])
        for name in self.cleaned_data.get("new_themes", []):
            theme, _created = Theme.objects.get_or_create(municipality=self.municipality, name=name)
            themes.append(theme)
        data["themes"] = themes
        return data


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ("starts_at", "ends_at", "place", "capacity")
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}
        field_classes = {
            "starts_at": forms.DateTimeField,
            "ends_at": forms.DateTimeField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("Slutt må være etter start."))
        if start and not self.instance.pk and start < timezone.now() - datetime.timedelta(days=366):
            self.add_error("starts_at", _("Starttidspunktet er mer enn ett år tilbake i tid."))
        return cleaned


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Hvor nyttig var samlingen for deg?"),
        choices=[
            (1, _("1 – ikke nyttig")),
            (2, "2"),
            (3, "3"),
            (4, "4"),
            (5, _("5 – svært nyttig")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=max_length_of(Feedback, "comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skriv ikke opplysninger om barn eller kolleger."),
    )
