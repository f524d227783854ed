"""Quality tools and self-assessments: the tools of the plan in force, a unit's assessment
against its tool, the unit's scores over time and where the units stand across the sector.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from plans import charts, disclosure
from plans.access import access_for
from plans.forms_assessment import (
    GroupAnswerForm,
    GroupChoiceForm,
    GroupStartForm,
    QualityToolCreateForm,
    SectorFilterForm,
    SelfAssessmentForm,
    ToolStatementForm,
)
from plans.models import (
    AssessmentGroup,
    AssessmentStatus,
    QualityTool,
    Score,
    SelfAssessment,
    ToolStatement,
    Unit,
)
from plans.selectors import assessment as selectors
from plans.services.group_assessment import (
    group_assessment_answer,
    group_assessment_close,
    group_assessment_start,
)
from plans.services.history import PlanLocked
from plans.services.self_assessment import (
    quality_tool_create,
    self_assessment_save,
    self_assessment_start,
    tool_statement_delete,
    tool_statement_save,
)
from plans.views.gate import (
    MemberRequiredMixin,
    add_service_errors,
    error_text,
    own_municipality,
)

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


def _answers(assessment: SelfAssessment, distributions=None):
    """The answers in the tool's order, each with its statement's group distribution
    (``answer.distribution``, None for a unit's own assessment)."""
    answers = list(
        assessment.answers.select_related("statement__area", "statement__component").order_by(
            "statement__area__order",
            "statement__area_id",
            "statement__order",
            "statement_id",
        )
    )
    for answer in answers:
        answer.distribution = (distributions or {}).get(answer.statement_id)
    return answers


class SelfAssessmentUpdateView(MemberRequiredMixin, TemplateView):
    template_name = "plans/assessment/form.html"

    def load_objects(self):
        self.assessment = get_object_or_404(
            SelfAssessment.objects.visible_to(self.request.user).select_related("unit", "tool"),
            pk=self.kwargs["pk"],
        )
        self.require("plans.change_selfassessment", self.assessment)
        # The joint conclusion is written beside the group's (controlled) distribution.
        self.distributions = selectors.session_distributions(self.assessment)

    def locked(self):
        messages.info(self.request, _("Egenvurderingen er fullført og kan ikke endres."))
        return redirect("plans:self-assessment-detail", pk=self.assessment.pk)

    def collecting(self):
        messages.info(
            self.request,
            _(
                "Deltakerne svarer fortsatt. Avslutt svarinnsamlingen før dere skriver "
                "konklusjonen."
            ),
        )
        return redirect("plans:self-assessment-detail", pk=self.assessment.pk)

    def get(self, request, *args, **kwargs):
        if self.assessment.status == AssessmentStatus.COMPLETED:
            return self.locked()
        if self.assessment.status == AssessmentStatus.COLLECTING:
            return self.collecting()
        form = SelfAssessmentForm(
            assessment=self.assessment, answers=_answers(self.assessment, self.distributions)
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if self.assessment.status == AssessmentStatus.COMPLETED:
            return self.locked()
        if self.assessment.status == AssessmentStatus.COLLECTING:
            return self.collecting()
        form = SelfAssessmentForm(
            request.POST,
            assessment=self.assessment,
            answers=_answers(self.assessment, self.distributions),
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
        context["distributions"] = self.distributions
        context["legend"] = disclosure.legend()
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
        user = self.request.user
        sees_responses = assessment.is_session and user.has_perm(
            "plans.view_assessment_responses", assessment
        )
        distributions = selectors.session_distributions(assessment) if sees_responses else {}
        answers = _answers(assessment, distributions)
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
            and user.has_perm("plans.change_selfassessment", assessment),
            can_close=assessment.status == AssessmentStatus.COLLECTING
            and user.has_perm("plans.change_selfassessment", assessment),
            sees_responses=sees_responses,
            counts=selectors.session_counts(assessment) if sees_responses else None,
            distributions=distributions,
            legend=disclosure.legend(),
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


# --- Group sessions -----------------------------------------------------------------------


class GroupAssessmentStartView(MemberRequiredMixin, TemplateView):
    """Start a group session in two steps: the group (GET), then the participants (POST).
    Both steps are plain forms, so the page needs no JavaScript."""

    template_name = "plans/assessment/group_start.html"
    permission_required = "plans.start_group_assessment"

    def load_objects(self):
        user = self.request.user
        self.municipality = own_municipality(user)
        if self.municipality is None:
            raise PermissionDenied
        self.units = Unit.objects.led_by(user).active().order_by("name")
        groups = []
        if self.units.exists():
            groups.append((AssessmentGroup.UNIT_STAFF, AssessmentGroup.UNIT_STAFF.label))
        if user.has_perm("plans.start_municipality_group_assessment"):
            groups += [
                (AssessmentGroup.LEADERS, AssessmentGroup.LEADERS.label),
                (AssessmentGroup.ADMINISTRATION, AssessmentGroup.ADMINISTRATION.label),
            ]
        if not groups:
            raise PermissionDenied
        self.groups = groups
        data = self.request.GET if "group" in self.request.GET else None
        self.choice = GroupChoiceForm(data, groups=groups, units=self.units)

    def start_form(self, data=None) -> GroupStartForm:
        chosen = self.choice.cleaned_data
        unit = chosen.get("unit") if chosen["group"] == AssessmentGroup.UNIT_STAFF else None
        candidates = selectors.session_candidates(
            group=chosen["group"],
            municipality_id=self.municipality.pk,
            unit_id=unit.pk if unit else None,
        )
        return GroupStartForm(
            data,
            candidates=candidates,
            threshold=disclosure.threshold(),
            initial={"conducted_on": timezone.localdate()},
        )

    def get(self, request, *args, **kwargs):
        form = self.start_form() if self.choice.is_bound and self.choice.is_valid() else None
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        # The step-one choice travels with the participants, in hidden fields.
        self.choice = GroupChoiceForm(request.POST, groups=self.groups, units=self.units)
        if not self.choice.is_valid():
            return self.render_to_response(self.get_context_data(form=None), status=400)
        form = self.start_form(request.POST)
        if form.is_valid():
            chosen = self.choice.cleaned_data
            try:
                assessment = group_assessment_start(
                    group=chosen["group"],
                    municipality=self.municipality,
                    unit=chosen.get("unit"),
                    service_field=chosen.get("service_field") or None,
                    participant_ids=[user.pk for user in form.cleaned_data["participants"]],
                    conducted_on=form.cleaned_data["conducted_on"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Gruppeegenvurderingen er startet."))
                return redirect("plans:self-assessment-detail", pk=assessment.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["choice"] = self.choice
        return context


class GroupSessionListView(MemberRequiredMixin, TemplateView):
    """A participant's sessions (open ones waiting for their answer, completed ones
    they took part in) and, for facilitators and sector leaders, the group sessions they
    follow with how many have answered."""

    template_name = "plans/assessment/sessions.html"
    permission_required = "plans.view_own_sessions"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        waiting, completed = selectors.sessions_of_participant(user)
        followed = [
            session
            for session in selectors.group_sessions(user)
            if user.has_perm("plans.view_assessment_responses", session)
        ]
        context.update(
            waiting=waiting,
            completed=completed,
            followed=followed,
            can_start=user.has_perm("plans.start_group_assessment"),
        )
        return context


class GroupAssessmentAnswerView(MemberRequiredMixin, TemplateView):
    """A participant scores the statements once, on their own. Their invitation is what
    finds the session — not ``visible_to``: being invited is not a right to read it."""

    template_name = "plans/assessment/group_answer.html"

    def load_objects(self):
        user = self.request.user
        self.assessment = get_object_or_404(
            SelfAssessment.objects.filter(
                municipality_id=access_for(user).municipality_id,
                session_participants__user_id=user.pk,
            ).select_related("tool", "unit"),
            pk=self.kwargs["pk"],
        )

    def not_open(self):
        if self.assessment.status != AssessmentStatus.COLLECTING:
            messages.info(self.request, _("Svarinnsamlingen er avsluttet."))
        else:
            messages.info(self.request, _("Du har allerede svart. Takk for svaret!"))
        return redirect("plans:self-assessment-sessions")

    def answer_form(self, data=None) -> GroupAnswerForm:
        statements = list(
            self.assessment.tool.statements.select_related("area", "component").order_by(
                "area__order", "area_id", "order", "pk"
            )
        )
        return GroupAnswerForm(data, statements=statements)

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("plans.answer_selfassessment", self.assessment):
            return self.not_open()
        return self.render_to_response(self.get_context_data(form=self.answer_form()))

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("plans.answer_selfassessment", self.assessment):
            return self.not_open()
        form = self.answer_form(request.POST)
        if form.is_valid():
            try:
                group_assessment_answer(
                    assessment=self.assessment, user=request.user, scores=form.scores()
                )
            except ValidationError as error:
                if error.code in ("answered", "closed"):
                    return self.not_open()
                form.add_error(None, error)
            else:
                messages.success(request, _("Takk! Svaret ditt er registrert anonymt."))
                return redirect("plans:self-assessment-sessions")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assessment"] = self.assessment
        return context


class GroupAssessmentCloseView(MemberRequiredMixin, View):
    http_method_names = ["post"]

    def load_objects(self):
        self.assessment = get_object_or_404(
            SelfAssessment.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("plans.change_selfassessment", self.assessment)

    def post(self, request, *args, **kwargs):
        try:
            group_assessment_close(assessment=self.assessment, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("plans:self-assessment-detail", pk=self.assessment.pk)
        messages.success(
            request,
            _("Svarinnsamlingen er avsluttet. Skriv gruppens felles vurdering og refleksjon."),
        )
        return redirect("plans:self-assessment-edit", pk=self.assessment.pk)
