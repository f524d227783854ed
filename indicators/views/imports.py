"""Importing indicator files: upload, progress, preview, commit or discard, the history
with rollback, and the mapping step for a layout the importer does not know.

Every page finds the batch through ``ImportBatch.objects.visible_to(user)`` (another
municipality's batch answers 404) and checks a rule from ``indicators.permissions``
(403). The work is done by ``indicators.services.imports``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from indicators.forms_imports import ColumnMappingForm, ImportUploadForm, PlaceMappingForm
from indicators.models import ImportBatch, ImportStatus, Indicator
from indicators.selectors.imports import import_preview
from indicators.selectors.parsers import (
    UNKNOWN_LAYOUT,
    batch_headers,
    batch_needs_mapping,
    batch_parses_in_request,
    parser_accepts,
    parser_by_name,
    parser_format_label,
)
from indicators.services.imports import (
    batch_commit,
    batch_create,
    batch_discard,
    batch_parse,
    batch_rollback,
    mapping_create,
)
from indicators.tasks import parse_import_batch
from plans.views.gate import MemberRequiredMixin, error_text, own_municipality

RUNNING = (ImportStatus.QUEUED, ImportStatus.RUNNING)
DISCARDABLE = (*RUNNING, ImportStatus.PREVIEW, ImportStatus.FAILED)


def _start_parse(batch: ImportBatch) -> None:
    """Small files are read in the request; big ones by a worker once the row is saved."""
    if batch_parses_in_request(batch=batch):
        batch_parse(batch=batch)
    else:
        parse_import_batch.delay_on_commit(batch.pk)


class BatchMixin(MemberRequiredMixin):
    permission = "indicators.view_importbatch"

    def load_objects(self):
        self.batch = get_object_or_404(
            ImportBatch.objects.visible_to(self.request.user).select_related(
                "uploaded_by", "source", "mapping"
            ),
            pk=self.kwargs["pk"],
        )
        self.require(self.permission, self.batch)


# --- Upload -------------------------------------------------------------------------------


class ImportUploadView(MemberRequiredMixin, TemplateView):
    template_name = "indicators/imports/upload.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            # A superuser without a membership has no municipality to import for.
            raise PermissionDenied
        self.require("indicators.import_indicators", self.municipality)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ImportUploadForm()))

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = batch_create(
                    uploaded_file=form.cleaned_data["file"],
                    user=request.user,
                    municipality=self.municipality,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                _start_parse(batch)
                return redirect("indicators:import-detail", pk=batch.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- One batch: progress, preview, actions --------------------------------------------------


class ImportDetailView(BatchMixin, TemplateView):
    template_name = "indicators/imports/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        user = self.request.user
        can_import = user.has_perm("indicators.import_indicators", batch)
        context.update(
            batch=batch,
            format_label=parser_format_label(name=batch.detected_format),
            running=batch.status in RUNNING,
            problems=batch.problems or [],
            accepted=batch.rows_total - batch.rows_rejected - batch.rows_skipped,
            can_commit=can_import
            and batch.status == ImportStatus.PREVIEW
            and batch.rows_total > batch.rows_rejected + batch.rows_skipped,
            can_discard=can_import and batch.status in DISCARDABLE,
            can_rollback=batch.status == ImportStatus.COMMITTED
            and user.has_perm("indicators.rollback_importbatch", batch),
            can_map=can_import and batch_needs_mapping(batch=batch),
            # What the data admin judges the file by (indicators.selectors.imports).
            preview=import_preview(batch) if batch.status != ImportStatus.FAILED else None,
            can_link=can_import and batch.status == ImportStatus.PREVIEW,
            can_manage_mapping=user.has_perm("indicators.manage_importmapping", batch.mapping)
            if batch.mapping
            else False,
            # After a commit: where to see what came in (the preview lists them, linked,
            # for a batch read since it kept one).
            indicators=Indicator.objects.filter(observations__batch=batch)
            .distinct()
            .order_by("name")
            if batch.status == ImportStatus.COMMITTED and not batch.preview
            else [],
        )
        return context


class ImportProgressView(BatchMixin, TemplateView):
    """The progress bar alone, polled by htmx every second while the batch is queued or
    running; once it is done, htmx reloads the page to show the preview."""

    template_name = "indicators/imports/_progress.html"

    def get(self, request, *args, **kwargs):
        batch = self.batch
        done = batch.status not in RUNNING
        if done and request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        if done:
            return redirect("indicators:import-detail", pk=batch.pk)
        return self.render_to_response({"batch": batch, "running": True})


class BatchActionView(BatchMixin, TemplateView):
    http_method_names = ["post"]
    permission = "indicators.import_indicators"

    def post(self, request, *args, **kwargs):
        try:
            message = self.act()
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, message)
        return redirect(self.next_url())

    def next_url(self) -> str:
        return reverse("indicators:import-detail", args=[self.batch.pk])

    def act(self) -> str:  # pragma: no cover - each action says what it does
        raise NotImplementedError


class ImportCommitView(BatchActionView):
    def act(self) -> str:
        batch = batch_commit(batch=self.batch, user=self.request.user)
        return _(
            "Importen er lagret: %(new)s nye og %(changed)s endrede tall. "
            "%(unchanged)s var uendret."
        ) % {
            "new": batch.rows_new,
            "changed": batch.rows_changed,
            "unchanged": batch.rows_unchanged,
        }


class ImportDiscardView(BatchActionView):
    def act(self) -> str:
        batch_discard(batch=self.batch, user=self.request.user)
        return _("Importen er forkastet. Ingen tall ble lagret.")

    def next_url(self) -> str:
        return reverse("indicators:import-list")


class ImportRollbackView(BatchActionView):
    permission = "indicators.rollback_importbatch"

    def act(self) -> str:
        batch_rollback(batch=self.batch, user=self.request.user)
        return _("Importen er tilbakestilt: tallene er som før den ble lagret.")

    def next_url(self) -> str:
        if self.request.POST.get("next") == "list":
            return reverse("indicators:import-list")
        return super().next_url()


# --- History --------------------------------------------------------------------------------


class ImportListView(MemberRequiredMixin, ListView):
    template_name = "indicators/imports/list.html"
    context_object_name = "batches"
    paginate_by = 25

    def load_objects(self):
        self.require("indicators.view_importbatch")

    def get_queryset(self):
        return (
            ImportBatch.objects.visible_to(self.request.user)
            .select_related("uploaded_by", "source")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipality = own_municipality(user)
        context["can_upload"] = municipality is not None and user.has_perm(
            "indicators.import_indicators", municipality
        )
        context["can_rollback"] = municipality is not None and user.has_perm(
            "indicators.rollback_importbatch", municipality
        )
        labels: dict[str, str] = {}
        for batch in context["batches"]:
            if batch.detected_format not in labels:
                labels[batch.detected_format] = parser_format_label(name=batch.detected_format)
            batch.format_label = labels[batch.detected_format]
        return context


# --- The mapping step ---------------------------------------------------------------------


def mapping_answer(form, parser) -> dict:
    """What a valid mapping form says, as the mapping services take it: for a layout the
    importer knows (``parser``) the place and year, else which column is what."""
    data = form.cleaned_data
    if parser is not None:
        columns = form.columns(parser.NAME)
        source_code = getattr(parser, "SOURCE", "lokal")
    else:
        columns = form.columns()
        source_code = data["source"]
    return {
        "name": data["name"],
        "columns": columns,
        "source_code": source_code,
        "indicator_code": data.get("indicator_code") or "",
        "indicator_name": data.get("indicator_name") or "",
    }


class ImportMappingView(BatchMixin, TemplateView):
    """For a batch no parser recognised, the data admin says which column is place,
    period, subgroup and value (or, for an Ungdata table, which place and year it is);
    the answer is saved as an ``ImportMapping`` for the municipality and the batch is read
    again with it."""

    template_name = "indicators/imports/mapping.html"
    permission = "indicators.import_indicators"

    def load_objects(self):
        super().load_objects()
        batch = self.batch
        self.parser = None
        self.headers: list[str] = []
        if not batch_needs_mapping(batch=batch):
            return
        if batch.detected_format != UNKNOWN_LAYOUT:
            self.parser = parser_by_name(name=batch.detected_format)
            return
        self.headers = batch_headers(batch=batch)

    def get_form(self, data=None):
        initial = {"name": self.batch.file_name[:120]}
        if self.parser is not None:
            return PlaceMappingForm(
                data,
                initial=initial,
                asks_period=parser_accepts(parser=self.parser, option="period"),
            )
        if not self.headers:
            return None
        return ColumnMappingForm(data, headers=self.headers, initial=initial)

    def get(self, request, *args, **kwargs):
        if not batch_needs_mapping(batch=self.batch):
            messages.info(request, _("Denne importen trenger ikke kolonneoppsett."))
            return redirect("indicators:import-detail", pk=self.batch.pk)
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        if not batch_needs_mapping(batch=self.batch):
            messages.info(request, _("Denne importen trenger ikke kolonneoppsett."))
            return redirect("indicators:import-detail", pk=self.batch.pk)
        form = self.get_form(request.POST)
        if form is not None and form.is_valid():
            try:
                mapping_create(
                    batch=self.batch, user=request.user, **mapping_answer(form, self.parser)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _start_parse(self.batch)
                messages.success(request, _("Oppsettet er lagret, og filen leses på nytt med det."))
                return redirect("indicators:import-detail", pk=self.batch.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            batch=self.batch,
            headers=self.headers,
            asks_place=self.parser is not None,
        )
        return context
