"""Import and export of units and memberships (django-import-export).

Every row is scoped to the importing user's municipality, and validated by the same model
rules the admin and the services use. Exported text cells that a spreadsheet would run as
a formula are prefixed with an apostrophe; import strips that prefix again, so an export
imports back unchanged.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from plans.access import access_for
from plans.models import (
    DevelopmentArea,
    InputGroup,
    InputSetting,
    Membership,
    Municipality,
    ParticipationInput,
    Role,
    Unit,
    UnitKind,
)
from plans.text import normalise_name, validate_name

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class ChoiceWidget(widgets.Widget):
    """Reads a choice by its code or by its label in any of the portal's languages'
    default (bokmål) form; writes the code."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = unescape_formula(str(value or "").strip())
        for code, label in self.choices:
            if text.casefold() in {str(code).casefold(), str(label).casefold()}:
                return code
        raise ValueError(
            _("«%(value)s» er ikke en gyldig verdi. Gyldige verdier: %(codes)s.")
            % {"value": text, "codes": ", ".join(code for code, _label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ScopedResource(resources.ModelResource):
    """A resource that knows who imports or exports and keeps them in their municipality."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = user

    def municipality_for(self, number: str) -> Municipality:
        number = unescape_formula(str(number or "").strip())
        municipality = Municipality.objects.visible_to(self.actor).filter(number=number).first()
        if municipality is None:
            raise ValidationError(
                _("Kommunenummer «%(number)s» finnes ikke, eller du har ikke tilgang til det.")
                % {"number": number}
            )
        return municipality

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in row:
            row[field.column_name] = unescape_formula(row[field.column_name])
        return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Name each row error by the file's column (``sitat``), not the model's field
        (``quote``): the preview then says which row and which column to correct."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            columns = {
                field.attribute: field.column_name
                for field in self.fields.values()
                if field.attribute and field.column_name
            }
            raise ValidationError(
                {columns.get(name, name): errors for name, errors in error.message_dict.items()}
            ) from error

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def filter_export(self, queryset, **kwargs):
        return queryset.model.objects.visible_to(self.actor).filter(pk__in=queryset.values("pk"))


class MunicipalityWidget(widgets.Widget):
    def __init__(self, resource: ScopedResource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return self.resource.municipality_for(value)

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


class UnitByNameWidget(widgets.Widget):
    """A unit named in the same row's municipality (column ``kommunenummer``)."""

    def __init__(self, resource: ScopedResource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = unescape_formula(str(value or "").strip())
        if not name:
            return None
        municipality = self.resource.municipality_for((row or {}).get("kommunenummer"))
        unit = Unit.objects.filter(municipality=municipality, name=name).first()
        if unit is None:
            raise ValueError(
                _("Fant ingen enhet «%(name)s» i %(municipality)s.")
                % {"name": name, "municipality": municipality.name}
            )
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class NameWidget(widgets.CharWidget):
    """A unit's name as ``Unit.clean`` stores it (``plans.text``), so the row finds the
    existing unit however it is spaced; text-direction and control characters refused."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "")
        validate_name(text)
        return normalise_name(text)


class UnitResource(ScopedResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["municipality"] = fields.Field(
            attribute="municipality",
            column_name="kommunenummer",
            widget=MunicipalityWidget(self),
        )
        self.fields["parent"] = fields.Field(
            attribute="parent", column_name="overordnet_enhet", widget=UnitByNameWidget(self)
        )
        self.fields["kind"] = fields.Field(
            attribute="kind", column_name="type", widget=ChoiceWidget(UnitKind.choices)
        )

    name = fields.Field(attribute="name", column_name="navn", widget=NameWidget())
    organisation_number = fields.Field(
        attribute="organisation_number", column_name="organisasjonsnummer"
    )
    active = fields.Field(
        attribute="active", column_name="aktiv", widget=widgets.BooleanWidget(), default=True
    )

    class Meta:
        model = Unit
        fields = ("municipality", "name", "kind", "parent", "organisation_number", "active")
        export_order = fields
        import_id_fields = ("municipality", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class MembershipResource(ScopedResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["municipality"] = fields.Field(
            attribute="municipality",
            column_name="kommunenummer",
            widget=MunicipalityWidget(self),
        )
        self.fields["unit"] = fields.Field(
            attribute="unit", column_name="enhet", widget=UnitByNameWidget(self)
        )
        self.fields["role"] = fields.Field(
            attribute="role", column_name="rolle", widget=ChoiceWidget(Role.choices)
        )

    user = fields.Field(
        attribute="user",
        column_name="brukernavn",
        widget=widgets.ForeignKeyWidget(
            Membership._meta.get_field("user").related_model, field="username"
        ),
    )

    class Meta:
        model = Membership
        fields = ("user", "municipality", "unit", "role")
        export_order = fields
        import_id_fields = ("user", "municipality", "unit", "role")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        """Only users the importer may manage (``users_managed_by``): never a superuser, a
        staff user, a user outside the importer's municipality or the importer's own
        account. The error names the row, since the preview lists rows by number."""
        from django.contrib.auth import get_user_model

        from plans.selectors.organisation import users_managed_by

        # Django stores usernames NFKC-normalised (AbstractUser.normalize_username).
        username = get_user_model().normalize_username(
            unescape_formula(str(row.get("brukernavn") or "").strip())
        )
        validate_name(username)
        row["brukernavn"] = username
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            message = _(
                "Fant ingen bruker med brukernavnet «%(username)s». Opprett brukeren først."
            )
        elif user.pk == getattr(self.actor, "pk", None):
            message = _("Du kan ikke endre dine egne medlemskap («%(username)s»).")
        elif (
            not access_for(self.actor).is_superuser
            and Membership.objects.filter(user=user)
            .exclude(municipality__in=Municipality.objects.visible_to(self.actor))
            .exists()
        ):
            # A user of another municipality cannot be pulled into this one by an import.
            message = _("Brukeren «%(username)s» hører til en annen kommune.")
        elif not users_managed_by(self.actor).filter(pk=user.pk).exists():
            message = _(
                "Brukeren «%(username)s» er ikke blant brukerne du forvalter. Bare brukere "
                "som allerede har medlemskap i kommunen din, kan få medlemskap ved import."
            )
        else:
            return
        raise ValidationError(
            _("Rad %(row)s: %(message)s")
            % {"row": kwargs.get("row_number", "?"), "message": message % {"username": username}}
        )

    def save_instance(self, instance, is_create, row, **kwargs):
        # Through the service: the reach check, four eyes on BTI roles and the change log.
        from plans.services.organisation import membership_save

        membership_save(membership=instance, actor=self.actor)

    def delete_instance(self, instance, row, **kwargs):
        from plans.services.organisation import membership_revoke

        membership_revoke(membership=instance, actor=self.actor)


# --- Fortellinger ---------------------------------------------------------------------------


class FlexibleDateWidget(widgets.Widget):
    """A date written d.m.Y (as the portal shows dates) or ISO (YYYY-MM-DD)."""

    FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = unescape_formula(str(value or "").strip())
        if not text:
            raise ValueError(_("Datoen mangler."))
        for pattern in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(
            _("«%(value)s» er ikke en dato. Skriv den som 31.12.2025 eller 2025-12-31.")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d.%m.%Y") if value else ""


class YesNoWidget(widgets.Widget):
    """ja/nei (also 1/0, true/false); empty means no."""

    YES = {"ja", "j", "1", "true", "sann", "yes"}
    NO = {"nei", "n", "0", "false", "usann", "no", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = unescape_formula(str(value if value is not None else "").strip()).casefold()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("«%(value)s» må være «ja» eller «nei».") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return "ja" if value else "nei"


class AreaNamesWidget(widgets.ManyToManyWidget):
    """Development areas by name, separated by ";", in the municipality's plan in force."""

    def __init__(self, resource: ParticipationInputResource, **kwargs):
        self.resource = resource
        super().__init__(model=DevelopmentArea, separator=";", field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        names = [
            unescape_formula(name.strip())
            for name in str(value or "").split(self.separator)
            if name.strip()
        ]
        if not names:
            return []
        plan = self.resource.plan_for_row()
        if plan is None:
            raise ValueError(_("Kommunen har ingen vedtatt kvalitetsplan å knytte områder til."))
        areas = {area.name.casefold(): area for area in plan.areas.all()}
        unknown = [name for name in names if name.casefold() not in areas]
        if unknown:
            raise ValueError(
                _("Ukjent utviklingsområde %(names)s i «%(plan)s». Gyldige: %(valid)s.")
                % {
                    "names": ", ".join(f"«{name}»" for name in unknown),
                    "plan": plan.title,
                    "valid": "; ".join(area.name for area in plan.areas.all()),
                }
            )
        return [areas[name.casefold()] for name in names]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(area.name for area in value.all())


class RowUnitWidget(widgets.Widget):
    """A unit by name in the row's municipality (the importer's own)."""

    def __init__(self, resource: ParticipationInputResource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = unescape_formula(str(value or "").strip())
        if not name:
            return None
        municipality = self.resource.row_municipality
        unit = Unit.objects.filter(municipality=municipality, name=name).first()
        if unit is None:
            raise ValueError(
                _("Fant ingen enhet «%(name)s» i %(municipality)s.")
                % {"name": name, "municipality": municipality.name}
            )
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ParticipationInputResource(ScopedResource):
    """Participation input from a spreadsheet. Every row lands in the importer's own
    municipality (an optional ``kommunenummer`` column must name it), the unit and the
    areas must be the municipality's, and rows are written through
    ``participation_input_save`` — a file with any bad row writes nothing."""

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.row_municipality: Municipality | None = None
        self._plans: dict[int, object] = {}
        self.fields["municipality"] = fields.Field(
            attribute="municipality",
            column_name="kommunenummer",
            widget=MunicipalityWidget(self),
            readonly=True,
        )
        self.fields["group"] = fields.Field(
            attribute="group", column_name="gruppe", widget=ChoiceWidget(InputGroup.choices)
        )
        self.fields["setting"] = fields.Field(
            attribute="setting",
            column_name="sammenheng",
            widget=ChoiceWidget(InputSetting.choices),
        )
        self.fields["unit"] = fields.Field(
            attribute="unit", column_name="enhet", widget=RowUnitWidget(self)
        )
        self.fields["areas"] = fields.Field(
            attribute="areas", column_name="omraader", widget=AreaNamesWidget(self)
        )

    given_on = fields.Field(attribute="given_on", column_name="dato", widget=FlexibleDateWidget())
    quote = fields.Field(attribute="quote", column_name="sitat")
    descriptor = fields.Field(attribute="descriptor", column_name="hvem")
    publishable = fields.Field(
        attribute="publishable", column_name="samtykke_publisering", widget=YesNoWidget()
    )

    class Meta:
        model = ParticipationInput
        fields = (
            "municipality",
            "given_on",
            "quote",
            "descriptor",
            "group",
            "setting",
            "unit",
            "areas",
            "publishable",
        )
        export_order = fields
        # Every row is new input; a row already stored (same day, quote and speaker) is
        # skipped instead, so importing the same file twice adds nothing.
        force_init_instance = True
        clean_model_instances = True

    def plan_for_row(self):
        from plans.models import QualityPlan

        municipality = self.row_municipality
        if municipality.pk not in self._plans:
            self._plans[municipality.pk] = QualityPlan.objects.filter(
                municipality=municipality
            ).in_force()
        return self._plans[municipality.pk]

    def before_import_row(self, row, **kwargs):
        number = unescape_formula(str(row.get("kommunenummer") or "").strip())
        if number:
            self.row_municipality = self.municipality_for(number)
            return
        municipality_id = access_for(self.actor).municipality_id
        if municipality_id is None:
            raise ValidationError(_("Oppgi kommunenummer i kolonnen «kommunenummer»."))
        self.row_municipality = Municipality.objects.get(pk=municipality_id)

    def import_instance(self, instance, row, **kwargs):
        instance.municipality = self.row_municipality
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Areas are checked with the other fields, so a wrong name shows as this row's
        # error in the preview instead of failing when the row is saved.
        try:
            instance._import_areas = self.fields["areas"].clean(row)
        except ValueError as error:
            errors["areas"] = ValidationError(str(error), code="invalid")
        except KeyError:
            instance._import_areas = None
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return ParticipationInput.objects.filter(
            municipality=self.row_municipality,
            given_on=instance.given_on,
            quote=instance.quote,
            descriptor=instance.descriptor or "",
        ).exists()

    def save_instance(self, instance, is_create, row, **kwargs):
        from plans.services.participation import participation_input_save

        data = {
            name: getattr(instance, name)
            for name in ("quote", "descriptor", "group", "setting", "given_on", "unit")
        }
        data["publishable"] = bool(instance.publishable)
        areas = getattr(instance, "_import_areas", None)
        if areas is not None:
            data["areas"] = areas
        participation_input_save(
            municipality=self.row_municipality, data=data, actor=self.actor, instance=instance
        )

    def save_m2m(self, instance, row, **kwargs):
        # participation_input_save has set the areas already.
        return None
