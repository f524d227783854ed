"""BTI forms. Choices are always limited to the user's municipality (and, for the people
on a log, to those the rules allow); the services validate everything again."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from btitracker.models import (
    Action,
    ActionStatus,
    Child,
    Concern,
    ConcernBand,
    ConcernCase,
    ConsentKind,
    ConsultationMatter,
    Decision,
    Evaluation,
    Guardian,
    HandbookLevel,
    HandbookStep,
    HandbookTool,
    Handover,
    LogEntry,
    Meeting,
    TeamAccess,
    TeamMember,
    ToolKind,
)
from btitracker.models.handbook import STEP_TITLE_MAX, TOOL_DESCRIPTION_MAX, TOOL_TITLE_MAX
from plans.access import access_for
from plans.models import Membership, Role, Unit, UnitKind
from plans.text import max_length_of, validate_name, validate_text

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})
CHILD_NAME_MAX = max_length_of(Child, "name")


def name_field(label, **kwargs) -> forms.CharField:
    """A person's name: no text-direction or control characters (``plans.text``)."""
    return forms.CharField(
        label=label, max_length=CHILD_NAME_MAX, validators=[validate_name], **kwargs
    )


def _people(municipality_id, units=None):
    # Confirmed staff and unit leaders only: a grant awaiting a sector leader opens no log.
    memberships = Membership.objects.in_force().filter(
        municipality_id=municipality_id, role__in=[Role.STAFF, Role.UNIT_LEADER]
    )
    if units is not None:
        memberships = memberships.filter(unit__in=units)
    users = get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id"))
    return users.order_by("last_name", "first_name", "username")


class OwnViewsForm(forms.Form):
    """The child's or youth's own view and the family's view, at an evaluation or a
    decision, or why they could not be obtained. Required by the service (one rule, in
    ``services.cases._own_views_cleaned``); blank here so the form shows its message."""

    child_view = forms.CharField(
        label=_("Barnets eller ungdommens syn"),
        widget=TEXT,
        required=False,
        max_length=max_length_of(Evaluation, "child_view"),
        validators=[validate_text],
        help_text=_("Hva mener barnet eller ungdommen selv? Gjengi med egne ord."),
    )
    family_view = forms.CharField(
        label=_("Familiens syn"),
        widget=TEXT,
        required=False,
        max_length=max_length_of(Evaluation, "family_view"),
        validators=[validate_text],
    )
    views_missing_reason = forms.CharField(
        label=_("Hvis synet ikke kunne innhentes: hvorfor"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=max_length_of(Evaluation, "views_missing_reason"),
        validators=[validate_text],
        help_text=_(
            "For eksempel at barnet er for lite til å uttrykke seg, eller at familien "
            "ikke ville delta."
        ),
    )

    def own_views(self):
        from btitracker.services.cases import OwnViewsInput

        data = self.cleaned_data
        return OwnViewsInput(
            child_view=data.get("child_view") or "",
            family_view=data.get("family_view") or "",
            missing_reason=data.get("views_missing_reason") or "",
        )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ConcernForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Din enhet"), queryset=Unit.objects.none())
    observation = forms.CharField(
        label=_("Hva har du sett eller hørt?"),
        widget=TEXT,
        max_length=max_length_of(Concern, "observation"),
        help_text=_("Beskriv det du har observert, ikke tolkninger."),
    )
    duration = forms.CharField(
        label=_("Hvor lenge har du lagt merke til dette?"),
        required=False,
        max_length=max_length_of(Concern, "duration"),
    )
    band = forms.ModelChoiceField(
        label=_("Bekymringsgrad"), queryset=ConcernBand.objects.none(), widget=forms.RadioSelect
    )
    child_name = name_field(
        _("Barnets navn"),
        required=False,
        help_text=_("Kan stå tomt til lederen har tatt stilling."),
    )
    birth_date = forms.DateField(label=_("Fødselsdato"), required=False, widget=DATE)
    # The consultation meeting's matter the concern goes on from (a link on the meeting's
    # page), among the matters the user reads.
    consultation_matter = forms.ModelChoiceField(
        queryset=ConsultationMatter.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, bands, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_for(user)
        unit_ids = access.unit_ids(Role.STAFF) | access.unit_ids(Role.UNIT_LEADER)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids).order_by("name")
        self.fields["band"].queryset = ConcernBand.objects.filter(pk__in=[b.pk for b in bands])
        self.fields["consultation_matter"].queryset = ConsultationMatter.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        # A hidden field's error would not show: say it above the form.
        if "consultation_matter" in self.errors:
            del self.errors["consultation_matter"]
            self.add_error(
                None, _("Saken fra samarbeidsmøtet finnes ikke, eller du kan ikke se den.")
            )
        return data


class DecisionForm(OwnViewsForm):
    decision = forms.ChoiceField(
        label=_("Beslutning"),
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Begrunnelse"),
        widget=TEXT,
        required=False,
        max_length=max_length_of(Concern, "decision_note"),
    )
    child_name = name_field(_("Barnets navn"), required=False)
    birth_date = forms.DateField(label=_("Fødselsdato"), required=False, widget=DATE)
    # Before birth (a health station only): the pregnant woman and the expected date.
    expecting_parent = name_field(
        _("Før fødselen: den gravides navn"),
        required=False,
        help_text=_("Fyll ut i stedet for barnets navn og fødselsdato når barnet ikke er født."),
    )
    expected_on = forms.DateField(label=_("Termindato"), required=False, widget=DATE)
    holder = PersonChoiceField(
        label=_("Stafettholder"), queryset=get_user_model().objects.none(), required=False
    )

    field_order = [
        "decision",
        "note",
        "child_name",
        "birth_date",
        "expecting_parent",
        "expected_on",
        "holder",
        "child_view",
        "family_view",
        "views_missing_reason",
    ]

    def __init__(self, *args, concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = _people(concern.municipality_id, [concern.unit])
        if concern.child_id:
            del self.fields["child_name"]
            del self.fields["birth_date"]
        if concern.child_id or concern.unit.kind != UnitKind.HEALTH_STATION:
            del self.fields["expecting_parent"]
            del self.fields["expected_on"]


class LevelForm(OwnViewsForm):
    level = forms.TypedChoiceField(
        label=_("Nivå"), coerce=int, choices=[(1, _("Nivå 1")), (2, _("Nivå 2")), (3, _("Nivå 3"))]
    )


class CloseForm(OwnViewsForm):
    """Closing the log is a decision: the child's and the family's view of it."""


class BirthForm(forms.Form):
    name = name_field(_("Barnets navn"))
    birth_date = forms.DateField(label=_("Fødselsdato"), widget=DATE)


class GuardianForm(forms.Form):
    name = name_field(_("Navn"))
    contact = forms.CharField(
        label=_("Telefon eller e-post"),
        max_length=max_length_of(Guardian, "contact"),
        required=False,
    )


class TeamMemberForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    unit = forms.ModelChoiceField(label=_("Tjeneste"), queryset=Unit.objects.none())
    access = forms.ChoiceField(label=_("Tilgang"), choices=TeamAccess.choices)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _people(case.municipality_id)
        self.fields["unit"].queryset = Unit.objects.filter(
            municipality_id=case.municipality_id, active=True
        ).order_by("name")


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Samtykke fra"), choices=ConsentKind.choices)
    given_by = name_field(_("Gitt av (navn)"))
    given_on = forms.DateField(label=_("Dato"), widget=DATE)
    expires_on = forms.DateField(label=_("Gyldig til"), widget=DATE, required=False)
    services = forms.ModelMultipleChoiceField(
        label=_("Tjenester samtykket omfatter"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality_id, unborn: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Before birth the pregnant woman consents; after it, guardians or the youth.
        self.fields["kind"].choices = [
            (value, label)
            for value, label in ConsentKind.choices
            if (value == ConsentKind.EXPECTING) == unborn
        ]
        self.fields["services"].queryset = Unit.objects.filter(
            municipality_id=municipality_id, active=True
        ).order_by("name")


class ViolenceForm(forms.Form):
    justification = forms.CharField(
        label=_("Begrunnelse for at foresatte ikke involveres"),
        widget=TEXT,
        max_length=max_length_of(ConcernCase, "violence_justification"),
    )


class TextForm(forms.Form):
    """A goal (``model`` Goal) or a log entry (LogEntry): the limit is the model's."""

    text = forms.CharField(label=_("Tekst"), widget=TEXT)

    def __init__(self, *args, model=LogEntry, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.max_length = max_length_of(model, "text")
        field.validators.append(MaxLengthValidator(field.max_length))
        field.widget.attrs["maxlength"] = str(field.max_length)


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Tiltak"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(Action, "description"),
    )
    responsible = forms.ModelChoiceField(label=_("Ansvarlig"), queryset=TeamMember.objects.none())
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    evaluation_date = forms.DateField(label=_("Oppfølging og evaluering"), widget=DATE)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["responsible"].queryset = case.team.filter(active=True).select_related(
                "user", "unit"
            )


class MeetingActionForm(ActionForm):
    """In a meeting every field is checked by the service, so the form lets blank rows
    through and reports the missing parts in one list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


MeetingActionFormSet = formset_factory(MeetingActionForm, extra=2)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Møtedato"), widget=DATE)
    participants = forms.ModelMultipleChoiceField(
        label=_("Til stede fra teamet"),
        queryset=TeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    others_present = forms.CharField(
        label=_("Andre til stede"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=max_length_of(Meeting, "others_present"),
        validators=[validate_text],
        help_text=_("For eksempel barnet, foresatte, tolk – med roller eller navn."),
    )
    summary = forms.CharField(
        label=_("Referat"), widget=TEXT, max_length=max_length_of(Meeting, "summary")
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this log's active team: another log's or municipality's ids are not choices.
        self.fields["participants"].queryset = case.team.filter(active=True).select_related(
            "user", "unit"
        )


class EvaluationForm(OwnViewsForm):
    evaluated_on = forms.DateField(label=_("Evaluert dato"), widget=DATE)
    text = forms.CharField(
        label=_("Evaluering"), widget=TEXT, max_length=max_length_of(Evaluation, "text")
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    effect = forms.CharField(
        label=_("Effekt"), widget=TEXT, required=False, max_length=max_length_of(Action, "effect")
    )

    field_order = ["evaluated_on", "text", "status", "effect"]


class HandoverForm(forms.Form):
    to_unit = forms.ModelChoiceField(label=_("Ny enhet"), queryset=Unit.objects.none())
    to_holder = PersonChoiceField(
        label=_("Ny stafettholder"), queryset=get_user_model().objects.none()
    )
    note = forms.CharField(
        label=_("Merknad"), widget=TEXT, required=False, max_length=max_length_of(Handover, "note")
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(municipality_id=case.municipality_id, active=True).exclude(
            pk=case.holder_unit_id
        )
        self.fields["to_unit"].queryset = units.order_by("name")
        self.fields["to_holder"].queryset = _people(case.municipality_id, units)


class SearchForm(forms.Form):
    child_name = name_field(
        _("Barnets fulle navn"),
        help_text=_("Før fødselen: «Barn av» og den gravides fulle navn, og termindatoen."),
    )
    birth_date = forms.DateField(label=_("Fødselsdato"), widget=DATE)


class EnrolCodeForm(forms.Form):
    """The code from the e-mail; spaces and dashes a mail client adds are ignored."""

    code = forms.CharField(label=_("Kode fra e-posten"), max_length=20)

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if not code:
            raise forms.ValidationError(_("Skriv inn koden fra e-posten."))
        return code


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engangskode fra appen"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


# --- The handbook (handlingsveileder) ------------------------------------------------------


class _StepChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_level_display()}: {obj.title} ({obj.unit_kind_label})"


class HandbookStepForm(forms.Form):
    """A step of the handbook; ``tools`` offers the municipality's own tools only (the
    queryset comes from the view, scoped by ``visible_to``)."""

    level = forms.TypedChoiceField(
        label=_("Nivå"),
        coerce=int,
        choices=HandbookLevel.choices,
        error_messages={"invalid_choice": _("Velg et nivå fra 0 til 3.")},
    )
    unit_kind = forms.ChoiceField(
        label=_("Tjeneste"),
        required=False,
        choices=[("", _("Alle tjenester")), *UnitKind.choices],
        error_messages={"invalid_choice": _("Velg en tjeneste fra listen.")},
    )
    position = forms.IntegerField(
        label=_("Rekkefølge"),
        min_value=1,
        max_value=999,
        initial=1,
        help_text=_("Stegene på samme nivå vises i denne rekkefølgen."),
    )
    title = forms.CharField(label=_("Tittel"), max_length=STEP_TITLE_MAX)
    text = forms.CharField(
        label=_("Tekst"),
        max_length=max_length_of(HandbookStep, "text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Ren tekst. Tom linje gir nytt avsnitt; linjer som begynner med «- » blir en "
            "punktliste, og linjer som begynner med «1. » en nummerert liste."
        ),
    )
    tools = forms.ModelMultipleChoiceField(
        label=_("Verktøy"),
        required=False,
        queryset=HandbookTool.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Velg verktøy fra listen.")},
    )

    def __init__(self, *args, tools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tools"].queryset = tools

    def clean_title(self) -> str:
        validate_text(self.cleaned_data["title"], label=str(_("Tittel")))
        return self.cleaned_data["title"]

    def clean_text(self) -> str:
        validate_text(self.cleaned_data["text"], label=str(_("Tekst")))
        return self.cleaned_data["text"]


class HandbookToolForm(forms.Form):
    """The upload; what the file is, is decided by ``handbook_tool_create``."""

    title = forms.CharField(label=_("Tittel"), max_length=TOOL_TITLE_MAX)
    kind = forms.ChoiceField(label=_("Type verktøy"), choices=ToolKind.choices)
    description = forms.CharField(
        label=_("Beskrivelse"), required=False, max_length=TOOL_DESCRIPTION_MAX
    )
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("PDF, Word (DOCX) eller OpenDocument-tekst (ODT), høyst 5 MB."),
        error_messages={
            "required": _("Velg en fil å laste opp."),
            "empty": _("Filen er tom."),
            "invalid": _("Velg en fil å laste opp."),
        },
    )
    steps = _StepChoice(
        label=_("Hører til stegene"),
        required=False,
        queryset=HandbookStep.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Velg steg fra listen.")},
    )

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].queryset = steps

    def clean_title(self) -> str:
        validate_text(self.cleaned_data["title"], label=str(_("Tittel")))
        return self.cleaned_data["title"]
