"""Quality tools and self-assessments: the tools of the plan in force, a unit's assessment
against its tool, the unit's scores over time and where the units stand across the sector.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from plans import charts
from plans.access import access_for
from plans.forms_assessment import (
    QualityToolCreateForm,
    SectorFilterForm,
    SelfAssessmentForm,
    ToolStatementForm,
)
from plans.models import (
    AssessmentStatus,
    QualityTool,
    Score,
    SelfAssessment,
    ToolStatement,
    Unit,
)
from plans.selectors import assessment as selectors
from plans.services.history import PlanLocked
from plans.services.self_assessment import (
    quality_tool_create,
    self_assessment_save,
    self_assessment_start,
    tool_statement_delete,
    tool_statement_save,
)
from plans.views.gate import MemberRequiredMixin, error_text, own_municipality

SCORE_MIN = min(Score.values)
SCORE_MAX = max(Score.values)


# --- Quality tools ------------------------------------------------------------------------


class QualityToolListView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/tool_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = selectors.quality_tools_in_force(self.request.user)
        context["overview"] = overview
        context["can_manage"] = overview.plan is not None and self.request.user.has_perm(
            "plans.change_qualitytool", overview.plan
        )
        context["missing_fields"] = [row for row in overview.fields if row[2] is None]
        return context


class QualityToolDetailView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/tool_detail.html"

    def load_objects(self):
        self.tool = get_object_or_404(
            QualityTool.objects.visible_to(self.request.user).select_related("quality_plan"),
            pk=self.kwargs["pk"],
        )
        self.require("plans.view_qualitytool", self.tool)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tool"] = self.tool
        context["area_groups"] = selectors.statements_by_area(self.tool)
        context["can_manage"] = self.request.user.has_perm("plans.change_qualitytool", self.tool)
        return context


class QualityToolCreateView(MemberRequiredMixin, FormView):
    template_name = "plans/assessment/tool_form.html"
    form_class = QualityToolCreateForm

    def load_objects(self):
        user = self.request.user
        self.plan = selectors.plan_in_force(user)
        self.require("plans.change_qualitytool", self.plan or own_municipality(user))
        if self.plan is None:
            raise PermissionDenied(_("Kommunen har ingen vedtatt kvalitetsplan ennå."))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["taken"] = set(
            QualityTool.objects.filter(quality_plan=self.plan).values_list(
                "service_field", flat=True
            )
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        return context

    def form_valid(self, form):
        try:
            tool = quality_tool_create(
                quality_plan=self.plan,
                service_field=form.cleaned_data["service_field"],
                title=form.cleaned_data["title"],
                introduction=form.cleaned_data["introduction"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Kvalitetsverktøyet er opprettet."))
        return redirect("plans:quality-tool-detail", pk=tool.pk)


class ToolStatementMixin(MemberRequiredMixin):
    def load_objects(self):
        self.tool = get_object_or_404(
            QualityTool.objects.visible_to(self.request.user).select_related("quality_plan"),
            pk=self.kwargs["pk"],
        )
        self.require("plans.change_qualitytool", self.tool)
        self.statement = None
        if "statement_pk" in self.kwargs:
            self.statement = get_object_or_404(
                ToolStatement.objects.select_related("area", "component"),
                pk=self.kwargs["statement_pk"],
                tool=self.tool,
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tool"] = self.tool
        context["statement"] = self.statement
        return context

    def tool_url(self) -> str:
        return reverse("plans:quality-tool-detail", args=[self.tool.pk])


class ToolStatementFormView(ToolStatementMixin, FormView):
    template_name = "plans/assessment/statement_form.html"
    form_class = ToolStatementForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tool"] = self.tool
        kwargs["instance"] = self.statement
        return kwargs

    def form_valid(self, form):
        try:
            tool_statement_save(
                tool=self.tool,
                data=form.cleaned_data,
                actor=self.request.user,
                instance=self.statement,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Påstanden er lagret."))
        return redirect(self.tool_url())


class ToolStatementCreateView(ToolStatementFormView):
    pass


class ToolStatementUpdateView(ToolStatementFormView):
    pass


class ToolStatementDeleteView(ToolStatementMixin, TemplateView):
    template_name = "plans/assessment/statement_delete.html"

    def post(self, request, *args, **kwargs):
        try:
            tool_statement_delete(statement=self.statement, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Påstanden er slettet."))
        return redirect(self.tool_url())


# --- Self-assessments ---------------------------------------------------------------------


class SelfAssessmentListView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["own_units"] = selectors.assessments_of_own_units(user, access_for(user))
        if user.has_perm("plans.view_sector_assessments"):
            context["sector_units"] = selectors.latest_per_unit(user)
        return context


class SelfAssessmentStartView(MemberRequiredMixin, View):
    http_method_names = ["post"]

    def load_objects(self):
        self.unit = get_object_or_404(
            Unit.objects.visible_to(self.request.user), pk=self.kwargs["unit_pk"]
        )
        self.require("plans.add_selfassessment", self.unit)

    def post(self, request, *args, **kwargs):
        try:
            assessment = self_assessment_start(unit=self.unit, actor=request.user)
        except ValidationError as error:
            if error.code == "draft_exists":
                draft = SelfAssessment.objects.filter(
                    unit=self.unit, status=AssessmentStatus.DRAFT
                ).first()
                messages.info(request, error_text(error))
                if draft is not None:
                    return redirect("plans:self-assessment-edit", pk=draft.pk)
            else:
                messages.error(request, error_text(error))
            return redirect("plans:self-assessment-list")
        except PlanLocked as error:
            messages.error(request, error.message)
            return redirect("plans:self-assessment-list")
        messages.success(request, _("Egenvurderingen er startet."))
        return redirect("plans:self-assessment-edit", pk=assessment.pk)


def _answers(assessment: SelfAssessment):
    return list(
        assessment.answers.select_related("statement__area", "statement__component").order_by(
            "statement__area__order",
            "statement__area_id",
            "statement__order",
            "statement_id",
        )
    )


class SelfAssessmentUpdateView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/form.html"

    def load_objects(self):
        self.assessment = get_object_or_404(
            SelfAssessment.objects.visible_to(self.request.user).select_related("unit", "tool"),
            pk=self.kwargs["pk"],
        )
        self.require("plans.change_selfassessment", self.assessment)

    def locked(self):
        messages.info(self.request, _("Egenvurderingen er fullført og kan ikke endres."))
        return redirect("plans:self-assessment-detail", pk=self.assessment.pk)

    def get(self, request, *args, **kwargs):
        if self.assessment.status == AssessmentStatus.COMPLETED:
            return self.locked()
        form = SelfAssessmentForm(assessment=self.assessment, answers=_answers(self.assessment))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if self.assessment.status == AssessmentStatus.COMPLETED:
            return self.locked()
        form = SelfAssessmentForm(
            request.POST, assessment=self.assessment, answers=_answers(self.assessment)
        )
        complete = "complete" in request.POST
        if form.is_valid():
            try:
                self_assessment_save(
                    assessment=self.assessment,
                    answers=form.answer_data(),
                    actor=request.user,
                    complete=complete,
                    conducted_on=form.cleaned_data["conducted_on"],
                    participants=form.cleaned_data["participants"],
                )
            except PlanLocked:
                return self.locked()
            except ValidationError as error:
                # The answers were saved; the form keeps what was typed and says why.
                form.add_error(None, error)
            else:
                if complete:
                    messages.success(request, _("Egenvurderingen er fullført."))
                    return redirect("plans:self-assessment-detail", pk=self.assessment.pk)
                messages.success(request, _("Utkastet er lagret."))
                return redirect("plans:self-assessment-edit", pk=self.assessment.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assessment"] = self.assessment
        form = context["form"]
        context["missing"] = sum(
            1 for item in form.answer_fields() if item.score.value() in (None, "")
        )
        return context


class SelfAssessmentDetailView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/detail.html"

    def load_objects(self):
        self.assessment = get_object_or_404(
            SelfAssessment.objects.visible_to(self.request.user).select_related(
                "unit", "tool", "created_by"
            ),
            pk=self.kwargs["pk"],
        )
        self.require("plans.view_selfassessment", self.assessment)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = self.assessment
        answers = _answers(assessment)
        groups: list[tuple] = []
        for answer in answers:
            if not groups or groups[-1][0].pk != answer.statement.area_id:
                groups.append((answer.statement.area, []))
            groups[-1][1].append(answer)
        context.update(
            assessment=assessment,
            groups=groups,
            area_scores=selectors.assessment_area_scores(assessment),
            can_edit=assessment.status == AssessmentStatus.DRAFT
            and self.request.user.has_perm("plans.change_selfassessment", assessment),
        )
        return context


class SelfAssessmentUnitHistoryView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/unit_history.html"

    def load_objects(self):
        self.unit = get_object_or_404(
            Unit.objects.visible_to(self.request.user), pk=self.kwargs["unit_pk"]
        )
        self.require("plans.view_selfassessment", self.unit)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        history = selectors.unit_history(user, self.unit)
        series = history.series()
        context.update(
            unit=self.unit,
            history=history,
            table=charts.series_table(series),
            all_assessments=SelfAssessment.objects.visible_to(user)
            .filter(unit=self.unit)
            .select_related("tool")
            .order_by("-conducted_on", "-pk"),
            can_start=user.has_perm("plans.add_selfassessment", self.unit),
        )
        if history.assessments:
            context["chart"] = charts.line_chart(
                title=_("Gjennomsnittlig vurdering per utviklingsområde for %(unit)s")
                % {"unit": self.unit.name},
                series=series,
                y_min=SCORE_MIN,
                y_max=SCORE_MAX,
                y_label=_("Snitt (1–4)"),
                description=_(
                    "Linjediagram med én linje per utviklingsområde og ett punkt per "
                    "fullførte egenvurdering. Tallene står i tabellen under."
                ),
            )
        return context


class SelfAssessmentSectorView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/sector.html"

    def load_objects(self):
        self.require("plans.view_sector_assessments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SectorFilterForm(self.request.GET or None)
        service_field = form.cleaned_data["service_field"] if form.is_valid() else ""
        overview = selectors.sector_overview(self.request.user, service_field or None)
        areas = []
        for standing in overview.areas:
            reference = (
                (_("Snitt i sektoren"), standing.sector_average)
                if standing.sector_average is not None
                else None
            )
            chart = charts.bar_chart(
                title=_("Siste egenvurdering per enhet: %(area)s") % {"area": standing.area.name},
                bars=standing.bars,
                max_value=SCORE_MAX,
                reference=reference,
                description=_(
                    "Liggende søyler med hver enhets gjennomsnitt for området i siste "
                    "fullførte egenvurdering, på en skala fra 1 til 4. Den stiplede linjen "
                    "er snittet i sektoren. Tallene står i tabellen under."
                ),
            )
            areas.append((standing, chart))
        context.update(filter_form=form, overview=overview, areas=areas)
        return context
