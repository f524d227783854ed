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

from config.celery import local_worker_missing
from indicators.models import Indicator
from plans.models import QualityPlan
from plans.schoolyear import SchoolYear
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text, own_municipality
from reports.forms import LawTopicsForm, ReportOrderForm
from reports.models import ReportState, StatusReport
from reports.schema import upgrade
from reports.selectors.law_topics import law_topic_warnings, law_topics_for
from reports.services import status_reports as services
from reports.services.law_topics import law_topics_save


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
        municipality = own_municipality(user)
        context["can_order"] = user.has_perm("reports.order_statusreport", municipality)
        context["can_map_topics"] = municipality is not None and user.has_perm(
            "reports.change_lawtopics", municipality
        )
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs["form"]
        # Warn (never refuse) about the year the form shows: the report would say the same.
        year = form.shown_year()
        context["topic_year"] = SchoolYear(year).label
        context["topic_warnings"] = law_topic_warnings(
            user=self.request.user, municipality=self.municipality, year=year
        )
        return context

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
                _tell_where_it_stands(
                    request,
                    report,
                    queued=_("Rapporten er bestilt. Fremdriften vises under."),
                    done=_("Rapporten er laget."),
                )
                return redirect("reports:report-detail", pk=report.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _queued_message() -> str:
    return _(
        "Rapporten er bestilt og står i kø. Bakgrunnstjenesten som lager PDF-en, er ikke "
        "tilgjengelig akkurat nå; rapporten lages automatisk når den er tilbake. "
        "Ingenting går tapt."
    )


def _queue_unavailable(report: StatusReport) -> bool:
    """Queued, and nothing will take it now: the broker never got it (Redis down), or
    it lies in the folder broker with no worker running (``runserver`` alone)."""
    return report.state == ReportState.QUEUED and (
        report.dispatched_at is None or local_worker_missing()
    )


def _tell_where_it_stands(request, report: StatusReport, *, queued: str, done: str) -> None:
    """The message after an order, a retry or a new version says what is true right
    after it: made already (tasks run in-process), on its way (the page shows the
    progress), or waiting for the background service. A failed render says nothing
    here: the page shows its error."""
    if report.state == ReportState.READY:
        messages.success(request, done)
    elif _queue_unavailable(report):
        messages.warning(request, _queued_message())
    elif report.is_pending:
        messages.success(request, queued)


class StatusReportDetailView(ReportMixin, TemplateView):
    template_name = "reports/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        user = self.request.user
        context.update(
            report=report,
            running=report.is_pending,
            queue_unavailable=_queue_unavailable(report),
            queued_message=_queued_message(),
            can_publish=user.has_perm("reports.publish_statusreport", report),
            can_retry=user.has_perm("reports.rerender_statusreport", report)
            and not (report.is_pending and report.dispatched_at is not None),
            can_new_version=user.has_perm("reports.new_version_statusreport", report),
            # What a new rendering of the draft would lack under the law, while the
            # sector leader (the only one who sees a draft) can still change the mapping;
            # a published report says it itself.
            topic_year=report.year_label,
            topic_warnings=law_topic_warnings(
                user=user, municipality=report.municipality, year=report.year
            )
            if not report.is_published
            else [],
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
                "queue_unavailable": _queue_unavailable(report),
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
        return report, _("Rapporten er publisert. Folkevalgte kan nå lese den.")


class StatusReportRetryView(ReportActionView):
    permission = "reports.rerender_statusreport"

    def act(self):
        report = services.status_report_retry(report=self.report, user=self.request.user)
        _tell_where_it_stands(
            self.request,
            report,
            queued=_("Rapporten lages på nytt med dagens tall. Fremdriften vises under."),
            done=_("Rapporten er laget på nytt med dagens tall."),
        )
        return report, ""


class StatusReportNewVersionView(ReportActionView):
    permission = "reports.new_version_statusreport"

    def act(self):
        report = services.status_report_version_create(report=self.report, user=self.request.user)
        _tell_where_it_stands(
            self.request,
            report,
            queued=_("En ny versjon er bestilt. Fremdriften vises under."),
            done=_("En ny versjon er laget."),
        )
        return report, ""


class LawTopicsEditView(MemberRequiredMixin, TemplateView):
    """Which indicators the report shows under the law's three topics (opplæringslova
    § 17-12), in order. The sector leader's, like the report itself."""

    template_name = "reports/law_topics.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise PermissionDenied
        self.require("reports.change_lawtopics", self.municipality)

    def form(self, data=None) -> LawTopicsForm:
        user = self.request.user
        return LawTopicsForm(
            data,
            indicators=Indicator.objects.visible_to(user)
            .for_municipality(self.municipality.pk)
            .select_related("source")
            .order_by("name", "pk"),
            current=law_topics_for(user=user, municipality=self.municipality),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                law_topics_save(
                    municipality=self.municipality,
                    topics=form.cleaned_data["topics"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Indikatorene for lovens tema er lagret."))
                return redirect("reports:law-topics")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = SchoolYear.current().start_year - 1
        context.update(
            topic_year=SchoolYear(year).label,
            topic_warnings=law_topic_warnings(
                user=self.request.user, municipality=self.municipality, year=year
            ),
        )
        return context
