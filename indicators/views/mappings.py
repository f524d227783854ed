"""The municipality's saved column mappings (list, correct, delete), and linking a new
indicator in an import's preview to a development area.

Every page finds its object in the user's scope (``ImportMapping.objects.visible_to``,
``ImportBatch.objects.visible_to``: 404 outside it) and checks a rule from
``indicators.permissions`` (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from indicators.forms_imports import ColumnMappingForm, IndicatorAreaForm, PlaceMappingForm
from indicators.models import ImportMapping, ImportStatus
from indicators.selectors.figures import plan_in_force
from indicators.selectors.imports import import_preview, mappings_for
from indicators.selectors.parsers import batch_headers, parser_accepts, parser_by_name
from indicators.services.mappings import mapping_delete, mapping_update
from indicators.services.preview import batch_indicator_link
from indicators.views.imports import BatchMixin, _start_parse, mapping_answer
from plans.models import DevelopmentArea
from plans.views.gate import MemberRequiredMixin, error_text

PERMISSION = "indicators.manage_importmapping"


class ImportMappingListView(MemberRequiredMixin, TemplateView):
    template_name = "indicators/imports/mapping_list.html"

    def load_objects(self):
        self.require(PERMISSION)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mappings"] = list(mappings_for(self.request.user))
        return context


class MappingMixin(MemberRequiredMixin):
    def load_objects(self):
        self.mapping = get_object_or_404(
            ImportMapping.objects.visible_to(self.request.user).select_related("source"),
            pk=self.kwargs["pk"],
        )
        self.require(PERMISSION, self.mapping)


def _column_initial(mapping: ImportMapping) -> dict:
    columns = mapping.columns or {}
    return {
        "name": mapping.name,
        "source": mapping.source.code,
        "indicator_code": mapping.indicator_code,
        "indicator_name": mapping.indicator_name,
        "place_code": columns.get("place_code", ""),
        "place_name": columns.get("place_name", ""),
        "place_level_column": columns.get("place_level", ""),
        "place_level": columns.get("fixed_place_level", ""),
        "period": columns.get("period", ""),
        "subgroups": list(columns.get("subgroup") or []),
        "value": columns.get("value", ""),
        "status": columns.get("status", ""),
    }


def _place_initial(mapping: ImportMapping) -> dict:
    columns = mapping.columns or {}
    level, code, name = [*(columns.get("place") or []), "", "", ""][:3]
    return {
        "name": mapping.name,
        "place_level": level,
        "place_code": code,
        "place_name": name,
        "period": columns.get("period", ""),
        "indicator_code": mapping.indicator_code,
        "indicator_name": mapping.indicator_name,
    }


class ImportMappingUpdateView(MappingMixin, TemplateView):
    """Correct a saved mapping: the same form as the mapping step, filled in with what
    was saved; the column choices are the headers of the last file read with it."""

    template_name = "indicators/imports/mapping_edit.html"

    def load_objects(self):
        super().load_objects()
        parser_name = (self.mapping.columns or {}).get("parser")
        self.parser = parser_by_name(name=parser_name) if parser_name else None

    def headers(self) -> list[str]:
        columns = self.mapping.columns or {}
        chosen = [
            columns.get(key) for key in ("place_code", "place_name", "place_level", "period")
        ] + [*(columns.get("subgroup") or []), columns.get("value"), columns.get("status")]
        last = self.mapping.batches.exclude(stored_file="").order_by("-created_at").first()
        headers = batch_headers(batch=last) if last is not None else []
        return headers + [c for c in chosen if c and c not in headers]

    def get_form(self, data=None):
        if self.parser is not None:
            return PlaceMappingForm(
                data,
                initial=_place_initial(self.mapping),
                asks_period=parser_accepts(parser=self.parser, option="period"),
            )
        return ColumnMappingForm(
            data, headers=self.headers(), initial=_column_initial(self.mapping)
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                again = mapping_update(
                    mapping=self.mapping,
                    actor=request.user,
                    **mapping_answer(form, self.parser),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                for batch in again:
                    _start_parse(batch)
                messages.success(
                    request,
                    _(
                        "Oppsettet «%(name)s» er lagret. Neste fil med de samme kolonnene "
                        "leses med det."
                    )
                    % {"name": self.mapping.name},
                )
                return redirect("indicators:mapping-list")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(mapping=self.mapping, asks_place=self.parser is not None)
        return context


class ImportMappingDeleteView(MappingMixin, TemplateView):
    template_name = "indicators/imports/mapping_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            mapping=self.mapping,
            previews=self.mapping.batches.filter(status=ImportStatus.PREVIEW).count(),
        )
        return context

    def post(self, request, *args, **kwargs):
        name = self.mapping.name
        mapping_delete(mapping=self.mapping, actor=request.user)
        messages.success(
            request,
            _(
                "Oppsettet «%(name)s» er slettet. Neste fil med de samme kolonnene må få "
                "nytt oppsett."
            )
            % {"name": name},
        )
        return redirect("indicators:mapping-list")


# --- Linking an indicator in the preview to a development area ---------------------------


class ImportIndicatorLinkView(BatchMixin, TemplateView):
    """POST: link one indicator of a batch in preview to an area of the municipality's
    plan in force. With htmx the indicator's line is sent back; without, the preview."""

    http_method_names = ["post"]
    permission = "indicators.import_indicators"
    template_name = "indicators/imports/_preview_indicator.html"

    def post(self, request, *args, **kwargs):
        batch = self.batch
        plan = plan_in_force(batch.municipality) if batch.municipality_id else None
        areas = (
            DevelopmentArea.objects.filter(plan=plan) if plan else DevelopmentArea.objects.none()
        )
        form = IndicatorAreaForm(request.POST, areas=areas)
        code = request.POST.get("indicator_code", "")
        error = ""
        if form.is_valid():
            try:
                batch_indicator_link(
                    batch=batch,
                    indicator_code=form.cleaned_data["indicator_code"],
                    area=form.cleaned_data["area"],
                    actor=request.user,
                )
            except ValidationError as problem:
                error = error_text(problem)
        else:
            error = " ".join(
                str(message) for messages_ in form.errors.values() for message in messages_
            )
        if not request.headers.get("HX-Request"):
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _("Indikatoren er knyttet til utviklingsområdet."))
            return redirect("indicators:import-detail", pk=batch.pk)
        preview = import_preview(batch)
        indicator = next(
            (entry for entry in (preview.indicators if preview else []) if entry.code == code),
            None,
        )
        if indicator is None:
            # Not an indicator of this file: nothing to swap in.
            return self.render_to_response({"batch": batch, "error": error}, status=400)
        # htmx swaps only a successful answer, so a refusal comes back as the line with
        # its message.
        return self.render_to_response(
            {"batch": batch, "indicator": indicator, "error": error, "can_link": True}
        )
