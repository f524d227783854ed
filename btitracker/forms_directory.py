"""Forms for the directory of services. The needs to choose from are the coordinator's
own municipality's (``ServiceNeed.objects.editable_by``), so another municipality's id in
the POST is a form error; the services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from btitracker.models import Referral, Service, ServiceNeed
from btitracker.selectors.directory import QUERY_MAX
from plans.text import max_length_of


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Søk etter behov, tjeneste eller tema"),
        max_length=QUERY_MAX,
        required=False,
        help_text=_("For eksempel «språk», «angst» eller «vold i nære relasjoner»."),
    )
    behov = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def selection(self) -> tuple[str, int | None]:
        if not self.is_valid():
            return "", None
        return self.cleaned_data["q"] or "", self.cleaned_data["behov"]


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=max_length_of(Service, "name"))
    helps_with = forms.CharField(
        label=_("Hva tjenesten hjelper med"),
        max_length=max_length_of(Service, "helps_with"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    for_whom = forms.CharField(
        label=_("For hvem"),
        max_length=max_length_of(Service, "for_whom"),
        required=False,
        help_text=_("For eksempel «barn 0–18 år og foreldrene deres» eller «gravide»."),
    )
    contact = forms.CharField(
        label=_("Slik tar du kontakt"),
        max_length=max_length_of(Service, "contact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Telefon, e-post, nettside, åpningstider eller oppmøtested."),
    )
    referral = forms.ChoiceField(label=_("Henvisning"), choices=Referral.choices)
    needs = forms.ModelMultipleChoiceField(
        label=_("Behov tjenesten hjelper med"),
        queryset=ServiceNeed.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_public = forms.BooleanField(
        label=_("Offentlig: kan leses av alle, også uten innlogging"), required=False
    )
    attends_consultations = forms.BooleanField(
        label=_("Deltar i samarbeidsmøter med barnehager og skoler"), required=False
    )
    active = forms.BooleanField(
        label=_("Aktiv: vises i tjenesteoversikten"),
        required=False,
        help_text=_("En aktiv tjeneste må si hva den hjelper med, for hvem og hvordan."),
    )

    def __init__(self, *args, user, instance: Service | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "helps_with": instance.helps_with,
                "for_whom": instance.for_whom,
                "contact": instance.contact,
                "referral": instance.referral,
                "needs": list(instance.needs.all()),
                "is_public": instance.is_public,
                "attends_consultations": instance.attends_consultations,
                "active": instance.active,
            }
        elif instance is None and "initial" not in kwargs:
            kwargs["initial"] = {"active": True}
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = ServiceNeed.objects.editable_by(user).order_by("name")
        if instance is not None and instance.unit_id is not None:
            # A unit's entry has the unit's name (the data admin renames units).
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("Navnet kommer fra enheten.")


class ServiceNeedForm(forms.Form):
    name = forms.CharField(
        label=_("Behov"),
        max_length=max_length_of(ServiceNeed, "name"),
        help_text=_("Et ord eller en kort frase folk søker etter, for eksempel «angst»."),
    )
