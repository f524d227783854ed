import logging

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, PasswordResetForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from plans.models import UnitKind
from plans.tasks import send_password_reset_email
from plans.text import normalise_name, validate_name

logger = logging.getLogger(__name__)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk etter navn"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Alle typer")), *UnitKind.choices]
    )
    include_inactive = forms.BooleanField(label=_("Vis også inaktive"), required=False)


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset mail from a Celery task, so a slow mail server never holds up the
    page, and answers the same whether or not the address is known."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        email = self.cleaned_data["email"]
        domain = domain_override or (request.get_host() if request else "localhost")
        for user in self.get_users(email):
            try:
                send_password_reset_email.delay_on_commit(
                    user.pk, domain=domain, use_https=use_https
                )
            except OperationalError:
                # The answer page must not differ for known addresses, so the failure is
                # logged for operators instead of shown.
                logger.exception("Could not queue the password reset e-mail for user %s", user.pk)


class PersonNameFormMixin:
    """First and last names as ``plans.text`` wants them: text-direction and control
    characters refused, the rest normalised (NFC, no zero-width characters, one space)."""

    def _person_name(self, field: str) -> str:
        value = self.cleaned_data.get(field) or ""  # type: ignore[attr-defined]
        validate_name(value)
        return normalise_name(value)

    def clean_first_name(self) -> str:
        return self._person_name("first_name")

    def clean_last_name(self) -> str:
        return self._person_name("last_name")


class PortalUserChangeForm(PersonNameFormMixin, UserChangeForm):
    """The user admin's change form with the portal's name rules."""


class PortalUserCreationForm(PersonNameFormMixin, AdminUserCreationForm):
    """The user admin's add form with the portal's name rules."""
