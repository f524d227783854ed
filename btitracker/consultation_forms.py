"""Forms of the consultation meetings. Every choice is scoped to the user's municipality
(units, services) or to the meeting (who may answer for an action); every protocol text
is checked by ``btitracker.anonymity`` here and again in the service."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from btitracker.anonymity import validate_anonymous
from btitracker.forms import DATE, PersonChoiceField
from btitracker.models import (
    ConsultationAction,
    ConsultationActionStatus,
    ConsultationAttendance,
    ConsultationMatter,
    ConsultationMeeting,
    MatterOutcome,
)
from btitracker.selectors.consultations import consultation_services, consultation_units
from plans.schoolyear import SchoolYear
from plans.text import max_length_of, validate_name, validate_text

WEEKDAY_CHOICES = [
    (0, _("mandag")),
    (1, _("tirsdag")),
    (2, _("onsdag")),
    (3, _("torsdag")),
    (4, _("fredag")),
]
WEEK_CHOICES = [(1, _("første")), (2, _("andre")), (3, _("tredje")), (4, _("fjerde"))]
ANONYMOUS_HELP = _(
    "Anonymt: ingen navn, fødselsdato eller fødselsnummer. Skriv for eksempel «gutt, 3. trinn»."
)


def anonymous_text(label, model, field, *, required=True, help_text=ANONYMOUS_HELP):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=required,
        max_length=max_length_of(model, field),
        validators=[validate_text, validate_anonymous],
        help_text=help_text,
    )


class ScheduleForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput, initial="preview", required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Barnehager og skoler"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Velg alle enhetene som skal ha samme møtemønster."),
    )
    school_year = forms.TypedChoiceField(label=_("Skoleår"), coerce=int)
    week_of_month = forms.TypedChoiceField(
        label=_("Uke i måneden"), coerce=int, choices=WEEK_CHOICES, initial=2
    )
    weekday = forms.TypedChoiceField(
        label=_("Ukedag"), coerce=int, choices=WEEKDAY_CHOICES, initial=1
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Tjenester som deltar"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = consultation_units(user)
        services = consultation_services(user)
        self.fields["services"].queryset = services
        self.fields["services"].initial = list(services.values_list("pk", flat=True))
        current = SchoolYear.current()
        self.fields["school_year"].choices = SchoolYear.choices([current, current.next()])
        self.fields["school_year"].initial = current.start_year

    def hide_all(self) -> None:
        """The preview's form: the choices carried on unchanged to the save, so what is
        saved is what the preview showed (a change starts again from the form)."""
        for field in self.fields.values():
            multiple = isinstance(field, forms.ModelMultipleChoiceField)
            field.widget = forms.MultipleHiddenInput() if multiple else forms.HiddenInput()


class MeetingChangeForm(forms.Form):
    MOVE, CANCEL = "flytt", "avlys"
    change = forms.ChoiceField(
        label=_("Endring"),
        choices=[(MOVE, _("Flytt møtet")), (CANCEL, _("Avlys møtet"))],
        widget=forms.RadioSelect,
        initial=MOVE,
    )
    planned_on = forms.DateField(label=_("Ny dato"), widget=DATE, required=False)
    cancelled_reason = anonymous_text(
        _("Grunn til avlysning"), ConsultationMeeting, "cancelled_reason", required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("change") == self.MOVE and not data.get("planned_on"):
            self.add_error("planned_on", _("Velg ny dato."))
        if data.get("change") == self.CANCEL and not data.get("cancelled_reason"):
            self.add_error("cancelled_reason", _("Skriv hvorfor møtet avlyses."))
        return data


class ProtocolForm(forms.Form):
    held_on = forms.DateField(label=_("Møtedato"), widget=DATE)


class AttendanceForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"),
        required=False,
        max_length=max_length_of(ConsultationAttendance, "name"),
        validators=[validate_name],
    )
    service = forms.ModelChoiceField(
        label=_("Fra"), queryset=None, required=False, empty_label=_("Enheten selv")
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = meeting.schedule.services.all()


class MatterForm(forms.Form):
    summary = anonymous_text(_("Sak"), ConsultationMatter, "summary", required=False)
    outcome = forms.ChoiceField(
        label=_("Utfall"), choices=MatterOutcome.choices, initial=MatterOutcome.DISCUSSED
    )


class ConsultationActionForm(forms.Form):
    """Every field is checked by the service, so blank rows pass and the missing parts of
    a filled one come back in one list (as a log meeting's)."""

    description = anonymous_text(
        _("Tiltak"), ConsultationAction, "description", required=False, help_text=""
    )
    responsible = PersonChoiceField(label=_("Ansvarlig"), queryset=None, required=False)
    follow_up_on = forms.DateField(label=_("Oppfølgingsdato"), widget=DATE, required=False)
    matter_number = forms.IntegerField(
        label=_("Gjelder sak nr."), required=False, min_value=1, max_value=99
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = candidates


AttendanceFormSet = formset_factory(AttendanceForm, extra=4)
MatterFormSet = formset_factory(MatterForm, extra=3)
ConsultationActionFormSet = formset_factory(ConsultationActionForm, extra=2)


class ActionFollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (ConsultationActionStatus.DONE, ConsultationActionStatus.DONE.label),
            (ConsultationActionStatus.STOPPED, ConsultationActionStatus.STOPPED.label),
        ],
        widget=forms.RadioSelect,
        initial=ConsultationActionStatus.DONE,
    )
    follow_up_note = anonymous_text(_("Hva ble gjort"), ConsultationAction, "follow_up_note")
