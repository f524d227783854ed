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

from plans.models import DevelopmentArea, QualityPlan
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text, own_municipality
from reports.forms import (
    AssessmentForm,
    AssessmentInviteForm,
    AssessmentReturnForm,
    ReportOrderForm,
)
from reports.models import Assessment, ReportState, StatusReport
from reports.schema import upgrade
from reports.selectors import assessments as assessment_selectors
from reports.selectors.report_years import report_year_for
from reports.services import assessments as assessment_services
from reports.services import status_reports as services
from reports.snapshot import area_indicators


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
        if user.has_perm("reports.open_assessment", municipality):
            # Writing may start before a report is ordered.
            context["assessment_form"] = ReportOrderForm(
                plans=QualityPlan.objects.visible_to(user)
                .filter(municipality=municipality)
                .adopted()
                .order_by("-period_start", "-revision"),
                auto_id="assessment_%s",
            )
        context["writing_years"] = assessment_selectors.assessment_years_for(user=user)
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
        if user.has_perm("reports.open_assessment", report.municipality):
            report_year = report_year_for(quality_plan=report.quality_plan, year=report.year)
            context["assessment_year"] = report_year
            if not report.is_published:
                problems = assessment_selectors.assessment_publish_problems(report=report)
                context["assessment_problems"] = problems
                context["can_publish"] = context["can_publish"] and not problems
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
        return report, _("Rapporten er publisert. Folkevalgte kan nå lese den.")


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


# --- The administration's assessment ----------------------------------------------------------
#
# Found through ``Assessment.objects.visible_to(user)``: the sector leaders' and the invited
# writers' — a report year no assessment of which is visible does not exist (404), for an
# elected official and for another municipality alike. The rules decide the actions (403).


class AssessmentStartView(MemberRequiredMixin, TemplateView):
    """Open (or go back to) the writing of a plan's report year: from the report list before
    a report is ordered, and from a report's page."""

    http_method_names = ["post"]

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise PermissionDenied
        self.require("reports.open_assessment", self.municipality)

    def post(self, request, *args, **kwargs):
        plans = (
            QualityPlan.objects.visible_to(request.user)
            .filter(municipality=self.municipality)
            .adopted()
        )
        form = ReportOrderForm(request.POST, plans=plans)
        if not form.is_valid():
            messages.error(
                request, " ".join(str(m) for errors in form.errors.values() for m in errors)
            )
            return redirect("reports:report-list")
        report_year = assessment_services.assessments_start(
            quality_plan=form.cleaned_data["quality_plan"], year=form.cleaned_data["year"]
        )
        return redirect("reports:assessment-year", pk=report_year.pk)


class AssessmentYearView(MemberRequiredMixin, TemplateView):
    """A report year's assessments: the whole report's and one per area, with state, writers
    and the way to each."""

    template_name = "reports/assessment/year.html"

    def load_objects(self):
        self.rows = assessment_selectors.assessment_year_rows(
            user=self.request.user, report_year_id=self.kwargs["pk"]
        )
        if not self.rows:
            raise Http404
        self.require("reports.view_assessment", self.rows[0])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report_year = self.rows[0].report_year
        context.update(
            report_year=report_year,
            rows=self.rows,
            reports=StatusReport.objects.visible_to(self.request.user)
            .filter(quality_plan_id=report_year.quality_plan_id, year=report_year.year)
            .order_by("-version"),
        )
        return context


class AssessmentMixin(MemberRequiredMixin):
    permission = "reports.view_assessment"

    def load_objects(self):
        self.assessment = get_object_or_404(
            Assessment.objects.visible_to(self.request.user).select_related(
                "area", "report_year__quality_plan", "report_year__municipality", "updated_by"
            ),
            pk=self.kwargs["pk"],
        )
        self.require(self.permission, self.assessment)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assessment = self.assessment
        context.update(
            assessment=assessment,
            report_year=assessment.report_year,
            can_change=user.has_perm("reports.change_assessment", assessment),
            can_submit=user.has_perm("reports.submit_assessment", assessment),
            can_approve=user.has_perm("reports.approve_assessment", assessment),
            can_return=user.has_perm("reports.return_assessment", assessment),
            can_invite=user.has_perm("reports.invite_assessment", assessment),
        )
        return context


class AssessmentEditView(AssessmentMixin, TemplateView):
    """One assessment's five questions, with the area's figures beside the text."""

    template_name = "reports/assessment/edit.html"

    def get(self, request, *args, **kwargs):
        return self.render_page(AssessmentForm(assessment=self.assessment))

    def post(self, request, *args, **kwargs):
        self.require("reports.change_assessment", self.assessment)
        form = AssessmentForm(request.POST, assessment=self.assessment)
        if form.is_valid():
            try:
                assessment_services.assessment_update(
                    assessment=self.assessment, user=request.user, answers=form.answers()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Teksten er lagret."))
                return redirect("reports:assessment-edit", pk=self.assessment.pk)
        return self.render_page(form, status=400)

    def render_page(self, form, status=200):
        assessment = self.assessment
        report_year = assessment.report_year
        areas = (
            [assessment.area]
            if assessment.area_id
            else list(
                DevelopmentArea.objects.filter(plan_id=report_year.quality_plan_id).order_by(
                    "order", "pk"
                )
            )
        )
        figures = area_indicators(self.request.user, report_year, areas, report_year.year)
        context = self.get_context_data(
            form=form,
            figure_areas=[(area, figures.get(area.pk, [])) for area in areas],
            return_form=AssessmentReturnForm(),
            invite_form=AssessmentInviteForm(
                candidates=assessment_selectors.assessment_writer_candidates(assessment=assessment)
            ),
            writers=assessment.writers.select_related("user"),
        )
        return self.render_to_response(context, status=status)


class AssessmentHistoryView(AssessmentMixin, TemplateView):
    template_name = "reports/assessment/history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["changes"] = self.assessment.changes.select_related("actor")
        return context


class AssessmentActionView(AssessmentMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            message = self.act()
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, message)
        return redirect("reports:assessment-edit", pk=self.assessment.pk)

    def act(self) -> str:  # pragma: no cover - each action says
        raise NotImplementedError


class AssessmentSubmitView(AssessmentActionView):
    permission = "reports.submit_assessment"

    def act(self):
        assessment_services.assessment_submit(assessment=self.assessment, user=self.request.user)
        return _("Vurderingen er sendt til gjennomsyn.")


class AssessmentApproveView(AssessmentActionView):
    permission = "reports.approve_assessment"

    def act(self):
        assessment_services.assessment_approve(assessment=self.assessment, user=self.request.user)
        return _("Vurderingen er satt til ferdig.")


class AssessmentReturnView(AssessmentActionView):
    permission = "reports.return_assessment"

    def act(self):
        form = AssessmentReturnForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(
                [str(error) for errors in form.errors.values() for error in errors]
            )
        assessment_services.assessment_return(
            assessment=self.assessment,
            user=self.request.user,
            comment=form.cleaned_data["comment"],
        )
        return _("Vurderingen er sendt tilbake til utkast.")


class AssessmentInviteView(AssessmentActionView):
    permission = "reports.invite_assessment"

    def act(self):
        form = AssessmentInviteForm(
            self.request.POST,
            candidates=assessment_selectors.assessment_writer_candidates(
                assessment=self.assessment
            ),
        )
        if not form.is_valid():
            raise ValidationError(
                [str(error) for errors in form.errors.values() for error in errors]
            )
        writer = assessment_services.assessment_writer_add(
            assessment=self.assessment, user=self.request.user, invitee=form.cleaned_data["user"]
        )
        return _("%(name)s er invitert til å skrive.") % {
            "name": writer.user.get_full_name() or writer.user.username
        }
