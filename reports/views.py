"""Status report pages: the list, the order form, one report with its progress, the HTML
version, the PDF, and the publish, retry and new-version actions.

Every page finds the report through ``StatusReport.objects.visible_to(user)``, so a draft
does not exist for an elected official (404, also when guessing its id) and another
municipality's report does not exist for anyone (404). The rules in
``reports.permissions`` decide the actions (403)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from config.celery import local_worker_missing
from indicators.models import Indicator
from plans.models import DevelopmentArea, QualityPlan
from plans.schoolyear import SchoolYear
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text, own_municipality
from reports.forms import (
    AnswerForm,
    AssessmentForm,
    AssessmentInviteForm,
    AssessmentReturnForm,
    FollowUpItemForm,
    FollowUpStatusForm,
    LawTopicsForm,
    QuestionForm,
    ReportBrandingForm,
    ReportOrderForm,
    TreatmentForm,
)
from reports.models import (
    WAITING_STATES,
    Assessment,
    FollowUpItem,
    Question,
    ReportState,
    StatusReport,
)
from reports.schema import upgrade
from reports.selectors import assessments as assessment_selectors
from reports.selectors.branding import report_branding_data_uri, report_branding_for
from reports.selectors.council import (
    administration_members,
    has_published_version,
    open_follow_up_items,
    person_label,
    treatment_for,
)
from reports.selectors.law_topics import law_topic_warnings, law_topics_for
from reports.selectors.report_years import report_year_for
from reports.services import assessments as assessment_services
from reports.services import branding as branding_services
from reports.services import council
from reports.services import status_reports as services
from reports.services.law_topics import law_topics_save
from reports.services.report_years import report_year_open
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
        context["can_map_topics"] = municipality is not None and user.has_perm(
            "reports.change_lawtopics", municipality
        )
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
    """Waiting for a worker (queued, or publishing), and nothing will take it now: the
    broker never got it (Redis down), or it lies in the folder broker with no worker
    running (``runserver`` alone)."""
    return report.state in WAITING_STATES and (
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
        context.update(council_context(report=report, user=user))
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
        if report.state == ReportState.PUBLISHED:  # the final render ran in-process
            return report, _("Rapporten er publisert. Folkevalgte kan nå lese den.")
        _tell_where_it_stands(
            self.request,
            report,
            queued=_(
                "Rapporten publiseres nå: den endelige PDF-en lages uten «Utkast»-merket. "
                "Folkevalgte kan lese den når den er ferdig."
            ),
            done="",
        )
        return report, ""


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


# --- The council's treatment --------------------------------------------------------------
# Shown on the report's page (reports/_council.html) to everyone who reads the report;
# each form is its own page so it works without JavaScript, and the rules in
# reports.permissions decide who reaches it (403), the querysets what exists (404).


def council_context(*, report: StatusReport, user) -> dict:
    """The treatment, the follow-up items and the questions of the report's year, with
    what this user may do with them."""
    report_year = report_year_for(quality_plan=report.quality_plan, year=report.year)
    items = FollowUpItem.objects.none()
    questions: list[Question] = []
    if report_year is not None:
        items = (
            FollowUpItem.objects.visible_to(user)
            .filter(report_year=report_year)
            .select_related("owner", "report_year")
            .order_by("due_on", "pk")
        )
        questions = list(
            Question.objects.visible_to(user)
            .filter(report_year=report_year)
            .select_related("asked_by", "answered_by", "report", "report_year")
            .order_by("asked_at", "pk")
        )
    can_status = {
        item.pk: user.has_perm("reports.update_status_followupitem", item) for item in items
    }
    published = report.is_published or (
        report_year is not None and has_published_version(report_year=report_year)
    )
    return {
        "council_published": published,
        "treatment": treatment_for(user=user, report_year=report_year),
        "follow_up_items": [(item, can_status[item.pk]) for item in items],
        "questions": questions,
        "can_change_treatment": user.has_perm("reports.change_treatment", report),
        "can_add_item": published and user.has_perm("reports.add_followupitem", report),
        "can_change_item": user.has_perm("reports.change_followupitem", report),
        "can_ask": user.has_perm("reports.ask_question", report),
        # Whether answers are still open is one fact for the whole year: ask it once.
        "can_answer": bool(questions) and user.has_perm("reports.answer_question", questions[0]),
        "question_form": QuestionForm(),
        "today": timezone.localdate(),
    }


class CouncilFormView(MemberRequiredMixin, TemplateView):
    """A form page of the council's treatment: GET shows it, POST calls ``save`` (a
    service) and goes back to the report; a refusal shows on the form (400)."""

    template_name = "reports/council_form.html"
    form_class: type = forms.Form
    heading = ""
    submit_label = ""

    def form_kwargs(self) -> dict:
        return {}

    def initial(self) -> dict:
        return {}

    def history(self) -> list:
        return []

    def back_url(self) -> str:  # pragma: no cover - each page says
        raise NotImplementedError

    def save(self, data: dict) -> str:  # pragma: no cover - each page says
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        form = self.form_class(initial=self.initial(), **self.form_kwargs())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                message = self.save(form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.back_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            heading=self.heading,
            submit_label=self.submit_label,
            back_url=self.back_url(),
            history=self.history(),
            page=self,
        )
        return context


class TreatmentEditView(ReportMixin, CouncilFormView):
    permission = "reports.change_treatment"
    form_class = TreatmentForm
    heading = gettext_lazy("Politisk behandling")
    submit_label = gettext_lazy("Lagre behandlingen")

    def load_objects(self):
        super().load_objects()
        self.report_year = report_year_for(
            quality_plan=self.report.quality_plan, year=self.report.year
        )
        self.treatment = treatment_for(user=self.request.user, report_year=self.report_year)

    def initial(self):
        if self.treatment is None:
            return {}
        return {name: getattr(self.treatment, name) for name in TreatmentForm.base_fields}

    def history(self):
        if self.treatment is None:
            return []
        return [
            {"at": change.at, "actor": person_label(change.actor), "fields": change.fields}
            for change in self.treatment.changes.select_related("actor")
        ]

    def back_url(self):
        return reverse("reports:report-detail", args=[self.report.pk]) + "#behandling"

    def save(self, data):
        report_year = report_year_open(quality_plan=self.report.quality_plan, year=self.report.year)
        council.treatment_save(report_year=report_year, user=self.request.user, **data)
        return _("Den politiske behandlingen er lagret.")


class FollowUpItemCreateView(ReportMixin, CouncilFormView):
    permission = "reports.add_followupitem"
    form_class = FollowUpItemForm
    heading = gettext_lazy("Nytt oppfølgingspunkt")
    submit_label = gettext_lazy("Lagre oppfølgingspunktet")

    def form_kwargs(self):
        return {"owners": administration_members(municipality_id=self.report.municipality_id)}

    def back_url(self):
        return reverse("reports:report-detail", args=[self.report.pk]) + "#oppfolging"

    def save(self, data):
        report_year = report_year_open(quality_plan=self.report.quality_plan, year=self.report.year)
        council.follow_up_item_create(report_year=report_year, user=self.request.user, **data)
        return _("Oppfølgingspunktet er lagret.")


class FollowUpItemMixin(MemberRequiredMixin):
    permission = "reports.change_followupitem"

    def load_objects(self):
        self.item = get_object_or_404(
            FollowUpItem.objects.visible_to(self.request.user).select_related(
                "owner", "report_year"
            ),
            pk=self.kwargs["pk"],
        )
        self.require(self.permission, self.item)

    def back_url(self):
        report = (
            StatusReport.objects.visible_to(self.request.user)
            .filter(
                quality_plan_id=self.item.report_year.quality_plan_id,
                year=self.item.report_year.year,
            )
            # The published version if there is one: that is where the items are shown.
            .order_by(
                Case(When(state=ReportState.PUBLISHED, then=Value(0)), default=Value(1)),
                "-version",
            )
            .first()
        )
        if report is None:
            return reverse("reports:follow-up-overview")
        return reverse("reports:report-detail", args=[report.pk]) + "#oppfolging"


class FollowUpItemEditView(FollowUpItemMixin, CouncilFormView):
    form_class = FollowUpItemForm
    heading = gettext_lazy("Endre oppfølgingspunkt")
    submit_label = gettext_lazy("Lagre endringene")

    def form_kwargs(self):
        return {"owners": administration_members(municipality_id=self.item.municipality_id)}

    def initial(self):
        return {name: getattr(self.item, name) for name in FollowUpItemForm.base_fields}

    def save(self, data):
        council.follow_up_item_update(item=self.item, user=self.request.user, **data)
        return _("Oppfølgingspunktet er endret.")


class FollowUpItemStatusView(FollowUpItemMixin, CouncilFormView):
    permission = "reports.update_status_followupitem"
    form_class = FollowUpStatusForm
    submit_label = gettext_lazy("Lagre status")

    @property
    def heading(self):
        return _("Status: %(title)s") % {"title": self.item.title}

    def initial(self):
        return {"status": self.item.status, "note": self.item.status_note}

    def history(self):
        return [
            {
                "at": change.at,
                "actor": person_label(change.actor),
                "fields": [
                    {
                        "field": _("Status"),
                        "old": change.get_old_status_display() if change.old_status else "",
                        "new": change.get_new_status_display(),
                    },
                    *(
                        [{"field": _("Merknad"), "old": "", "new": change.note}]
                        if change.note
                        else []
                    ),
                ],
            }
            for change in self.item.status_changes.select_related("actor")
        ]

    def save(self, data):
        council.follow_up_item_status_update(
            item=self.item, user=self.request.user, status=data["status"], note=data["note"]
        )
        return _("Statusen er lagret.")


class FollowUpOverviewView(MemberRequiredMixin, TemplateView):
    """Every open follow-up item across the years, overdue first: the sector leader's
    list of what the council is still waiting for."""

    template_name = "reports/follow_up_overview.html"
    permission_required = "reports.view_followup_overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(items=open_follow_up_items(user=self.request.user), today=today)
        return context


class QuestionCreateView(ReportMixin, CouncilFormView):
    permission = "reports.ask_question"
    form_class = QuestionForm
    heading = gettext_lazy("Still et spørsmål om rapporten")
    submit_label = gettext_lazy("Send spørsmålet")

    def back_url(self):
        return reverse("reports:report-detail", args=[self.report.pk]) + "#sporsmal"

    def save(self, data):
        council.question_submit(report=self.report, user=self.request.user, text=data["text"])
        return _("Spørsmålet er sendt. Sektorleder svarer her i portalen.")


class QuestionAnswerView(CouncilFormView):
    form_class = AnswerForm
    heading = gettext_lazy("Svar på spørsmål")
    submit_label = gettext_lazy("Lagre svaret")

    def load_objects(self):
        self.question = get_object_or_404(
            Question.objects.visible_to(self.request.user).select_related(
                "report_year", "report", "asked_by"
            ),
            pk=self.kwargs["pk"],
        )
        self.require("reports.answer_question", self.question)

    def initial(self):
        return {"answer": self.question.answer}

    def back_url(self):
        return reverse("reports:report-detail", args=[self.question.report_id]) + "#sporsmal"

    def save(self, data):
        council.question_answer_save(
            question=self.question, user=self.request.user, answer=data["answer"]
        )
        return _("Svaret er lagret.")
