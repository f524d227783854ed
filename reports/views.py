"""Status report pages: the list, the order form, one report with its progress, the HTML
version, the PDF, and the publish, retry and new-version actions.

Every page finds the report through ``StatusReport.objects.visible_to(user)``, so a draft
does not exist for an elected official (404, also when guessing its id) and another
municipality's report does not exist for anyone (404). The rules in
``reports.permissions`` decide the actions (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from plans.models import QualityPlan
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text, own_municipality
from reports.forms import ReportBrandingForm, ReportOrderForm
from reports.models import ReportState, StatusReport
from reports.schema import upgrade
from reports.selectors.branding import report_branding_data_uri, report_branding_for
from reports.services import branding as branding_services
from reports.services import status_reports as services


class ReportMixin(MemberRequiredMixin):
    permission = "reports.view_statusreport"

    def load_objects(self):
        self.report = get_object_or_404(
            StatusReport.objects.visible_to(self.request.user).select_related(
                "municipality", "quality_plan", "ordered_by", "published_by"
            ),
            pk=self.kwargs["pk"],
        )
        self.require(self.permission, self.report)


class StatusReportListView(MemberRequiredMixin, TemplateView):
    template_name = "reports/list.html"

    def load_objects(self):
        self.require("reports.view_statusreport")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["reports"] = (
            StatusReport.objects.visible_to(user)
            .select_related("quality_plan", "municipality")
            .order_by("-year", "-version", "-pk")
        )
        context["can_order"] = user.has_perm("reports.order_statusreport", own_municipality(user))
        return context


class StatusReportOrderView(MemberRequiredMixin, TemplateView):
    template_name = "reports/order.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise PermissionDenied
        self.require("reports.order_statusreport", self.municipality)
        self.plans = (
            QualityPlan.objects.visible_to(self.request.user)
            .filter(municipality=self.municipality)
            .adopted()
            .order_by("-period_start", "-revision")
        )

    def get(self, request, *args, **kwargs):
        form = ReportOrderForm(plans=self.plans)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ReportOrderForm(request.POST, plans=self.plans)
        if form.is_valid():
            try:
                report = services.status_report_order(
                    user=request.user,
                    quality_plan=form.cleaned_data["quality_plan"],
                    year=form.cleaned_data["year"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if report.dispatched_at is None and report.state == ReportState.QUEUED:
                    messages.warning(request, _queued_message())
                else:
                    messages.success(request, _("Rapporten er bestilt og lages nå."))
                return redirect("reports:report-detail", pk=report.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _queued_message() -> str:
    return _(
        "Rapporten er bestilt og står i kø. Bakgrunnstjenesten som lager PDF-en, er ikke "
        "tilgjengelig akkurat nå; rapporten lages automatisk når den er tilbake. "
        "Ingenting går tapt."
    )


class StatusReportDetailView(ReportMixin, TemplateView):
    template_name = "reports/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        user = self.request.user
        context.update(
            report=report,
            running=report.is_pending,
            queue_unavailable=report.state == ReportState.QUEUED and report.dispatched_at is None,
            queued_message=_queued_message(),
            can_publish=user.has_perm("reports.publish_statusreport", report),
            can_retry=user.has_perm("reports.rerender_statusreport", report)
            and not (report.is_pending and report.dispatched_at is not None),
            can_new_version=user.has_perm("reports.new_version_statusreport", report),
            has_pdf=bool(report.pdf) and report.state in (ReportState.READY, ReportState.PUBLISHED),
            versions=StatusReport.objects.visible_to(user)
            .filter(quality_plan=report.quality_plan, year=report.year)
            .exclude(pk=report.pk)
            .order_by("-version"),
        )
        return context


class StatusReportProgressView(ReportMixin, TemplateView):
    """The progress bar alone, polled by htmx while the report is queued or rendering;
    a report the queue never got is sent again from here. When it is done, htmx reloads
    the page."""

    template_name = "reports/_progress.html"

    def get(self, request, *args, **kwargs):
        report = services.status_report_poll(report=self.report)
        done = not report.is_pending
        if done and request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        if done:
            return redirect("reports:report-detail", pk=report.pk)
        return self.render_to_response(
            {
                "report": report,
                "queue_unavailable": report.state == ReportState.QUEUED
                and report.dispatched_at is None,
                "queued_message": _queued_message(),
            }
        )


class StatusReportReadView(ReportMixin, TemplateView):
    """The report as a web page, rendered from its snapshot like the PDF."""

    template_name = "reports/read.html"

    def load_objects(self):
        super().load_objects()
        if not self.report.snapshot:
            raise Http404

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A published report keeps the snapshot of its day: read in today's shape.
        context.update(report_row=self.report, report=upgrade(self.report.snapshot))
        return context


class StatusReportPdfView(ReportMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        report = self.report
        if not report.pdf or report.state not in (ReportState.READY, ReportState.PUBLISHED):
            raise Http404
        filename = (
            f"tilstandsrapport-{report.municipality.number}-{report.year}-v{report.version}.pdf"
        )
        return FileResponse(
            report.pdf.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )


class ReportActionView(ReportMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            target, message = self.act()
        except ValidationError as error:
            messages.error(request, error_text(error))
            target = self.report
        else:
            if message:
                messages.success(request, message)
        return redirect("reports:report-detail", pk=target.pk)

    def act(self) -> tuple[StatusReport, str]:  # pragma: no cover - each action says
        raise NotImplementedError


class StatusReportPublishView(ReportActionView):
    permission = "reports.publish_statusreport"

    def act(self):
        report = services.status_report_publish(report=self.report, user=self.request.user)
        if report.state == ReportState.PUBLISHED:  # the worker ran at once (no broker)
            return report, _("Rapporten er publisert. Folkevalgte kan nå lese den.")
        if report.dispatched_at is None:
            messages.warning(self.request, _queued_message())
            return report, ""
        return report, _(
            "Rapporten publiseres nå: den endelige PDF-en lages uten «Utkast»-merket. "
            "Folkevalgte kan lese den når den er ferdig."
        )


class StatusReportRetryView(ReportActionView):
    permission = "reports.rerender_statusreport"

    def act(self):
        report = services.status_report_retry(report=self.report, user=self.request.user)
        if report.dispatched_at is None:
            messages.warning(self.request, _queued_message())
            return report, ""
        return report, _("Rapporten lages på nytt med dagens tall.")


class StatusReportNewVersionView(ReportActionView):
    permission = "reports.new_version_statusreport"

    def act(self):
        report = services.status_report_version_create(report=self.report, user=self.request.user)
        if report.dispatched_at is None:
            messages.warning(self.request, _queued_message())
            return report, ""
        return report, _("En ny versjon er bestilt og lages nå.")


class ReportBrandingEditView(MemberRequiredMixin, TemplateView):
    """The sector leader's upload of the coat of arms or logo for the title page. The
    current logo is shown as a data URI in an ``<img>``: a browser runs nothing inside an
    SVG shown that way, and no file is served."""

    template_name = "reports/branding.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise PermissionDenied
        self.require("reports.change_reportbranding", self.municipality)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        branding = report_branding_for(municipality=self.municipality)
        context.update(
            municipality=self.municipality,
            logo=report_branding_data_uri(branding=branding),
            branding=branding,
        )
        context.setdefault("form", ReportBrandingForm())
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "delete":
            branding_services.report_branding_delete(municipality=self.municipality)
            messages.success(request, _("Logoen er fjernet."))
            return redirect("reports:branding-edit")
        form = ReportBrandingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                branding_services.report_branding_update(
                    user=request.user,
                    municipality=self.municipality,
                    upload=form.cleaned_data["logo"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Logoen er lagret. Den kommer på forsiden av neste rapport.")
                )
                return redirect("reports:branding-edit")
        return self.render_to_response(self.get_context_data(form=form), status=400)
