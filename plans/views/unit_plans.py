"""Unit development plans in the browser.

Every page works without JavaScript; with htmx the add and edit forms open inside the
section and a save swaps in the updated section. Saves carry the version the form was
loaded with: a save made after someone else's shows both versions and keeps the text.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from plans.forms_unit_plans import (
    PART_FORMS,
    EvaluationForm,
    ReviewForm,
    UnitPlanCreateForm,
    UnitPlanFilterForm,
    UnitPlanForm,
)
from plans.models import (
    Measure,
    ParticipationInput,
    ParticipationProcess,
    Phase,
    Unit,
    UnitGoal,
    UnitPlan,
    UserJourney,
)
from plans.schoolyear import SchoolYear
from plans.selectors.dialogues import points_for_unit
from plans.selectors.unit_plans import (
    unit_plan_approval_problems,
    unit_plan_editable_fields,
    unit_plan_evaluation_problems,
    unit_plan_submission_problems,
)
from plans.services import unit_plans as services
from plans.services.history import EditConflict, PlanLocked, field_value_display
from plans.views.gate import MemberRequiredMixin, error_text

PART_MODELS = {"goal": UnitGoal, "measure": Measure, "participation": ParticipationProcess}
SECTION_TEMPLATES = {
    "goal": "plans/unit_plans/_section_goals.html",
    "measure": "plans/unit_plans/_section_measures.html",
    "participation": "plans/unit_plans/_section_participation.html",
}


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def visible_plan(request, pk: int) -> UnitPlan:
    """The plan if the user may see it at all; 404 otherwise, so another unit's or
    municipality's plan is indistinguishable from a missing one."""
    return get_object_or_404(
        UnitPlan.objects.visible_to(request.user).select_related(
            "unit", "unit__municipality", "quality_plan", "reviewed_by", "submitted_by", "owner"
        ),
        pk=pk,
    )


def plan_context(request, plan: UnitPlan) -> dict:
    """Everything the plan page and its sections show, in a fixed number of queries."""
    goals = list(plan.goals.select_related("area"))
    measures = list(
        plan.measures.select_related("component", "component__area", "responsible")
        .order_by("component__area__order", "component__order", "start", "pk")
        # What each measure is «begrunnet i», as far as the reader may see the input.
        .prefetch_related(
            Prefetch(
                "motivated_by_inputs",
                queryset=ParticipationInput.objects.visible_to(request.user).order_by(
                    "-given_on", "-pk"
                ),
            ),
            Prefetch(
                "motivated_by_journeys",
                queryset=UserJourney.objects.visible_to(request.user).order_by("title", "pk"),
            ),
        )
    )
    participation = list(plan.participation.all())
    by_phase = [
        (phase, label, [p for p in participation if p.phase == phase])
        for phase, label in Phase.choices
    ]
    user = request.user
    can_submit = user.has_perm("plans.submit_unitplan", plan)
    return {
        "plan": plan,
        "goals": goals,
        # The unit's own goals («Enhetens egne mål») are shown apart from the areas' goals.
        "area_goals": [goal for goal in goals if not goal.is_own],
        "own_goals": [goal for goal in goals if goal.is_own],
        "measures": measures,
        "participation_by_phase": by_phase,
        "areas": list(plan.areas.all()),
        "components": list(plan.components.select_related("area")),
        "can_change": user.has_perm("plans.change_unitplan", plan),
        "can_follow_up": user.has_perm("plans.change_unitplan", plan)
        or user.has_perm("plans.evaluate_unitplan", plan),
        "can_submit": can_submit,
        "submission_problems": unit_plan_submission_problems(plan=plan) if can_submit else [],
        "can_review": user.has_perm("plans.review_unitplan", plan),
        "can_evaluate": user.has_perm("plans.evaluate_unitplan", plan),
        "can_add_rows": user.has_perm("plans.change_unitplan", plan),
        "can_add_participation": user.has_perm("plans.change_unitplan", plan)
        or user.has_perm("plans.evaluate_unitplan", plan),
    }


class UnitPlanListView(MemberRequiredMixin, ListView):
    template_name = "plans/unit_plans/list.html"
    context_object_name = "plans"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        plans = UnitPlan.objects.visible_to(user).select_related("unit")
        self.years = sorted(set(plans.values_list("school_year", flat=True)), reverse=True)
        self.filter_form = UnitPlanFilterForm(self.request.GET or None, years=self.years)
        if self.filter_form.is_valid():
            year = self.filter_form.cleaned_data["year"]
            if year:
                plans = plans.filter(school_year=year)
            if self.filter_form.cleaned_data["q"]:
                plans = plans.filter(unit__name__icontains=self.filter_form.cleaned_data["q"])
        return plans.order_by("-school_year", "unit__name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = SchoolYear.current().start_year
        led = Unit.objects.led_by(user).active()
        existing = set(
            UnitPlan.objects.filter(unit__in=led, school_year__in=(year, year + 1)).values_list(
                "unit_id", "school_year"
            )
        )
        context["startable"] = [
            (unit, UnitPlanCreateForm(prefix=f"unit{unit.pk}"))
            for unit in led
            if (unit.pk, year) not in existing or (unit.pk, year + 1) not in existing
        ]
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["summaries_only"] = not user.has_perm("plans.view_unitplan_detail", None)
        context["current_year"] = year
        return context


class UnitPlanCreateView(MemberRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, unit_pk: int):
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_pk)
        self.require("plans.add_unitplan", unit)
        form = UnitPlanCreateForm(request.POST, prefix=f"unit{unit.pk}")
        if not form.is_valid():
            messages.error(request, _("Velg et gyldig skoleår."))
            return redirect("plans:unit-plan-list")
        try:
            plan = services.unit_plan_create(
                unit=unit,
                school_year=form.cleaned_data["school_year"],
                actor=request.user,
                start_from_previous=form.cleaned_data["start_from_previous"],
            )
        except (PlanLocked, ValidationError) as error:
            messages.error(request, _message(error))
            return redirect("plans:unit-plan-list")
        messages.success(request, _("Planen er opprettet."))
        return redirect("plans:unit-plan-detail", pk=plan.pk)


class UnitPlanDetailView(MemberRequiredMixin, View):
    def get(self, request, pk: int):
        plan = visible_plan(request, pk)
        if not request.user.has_perm("plans.view_unitplan_detail", plan):
            # Elected officials read the summary of a published plan instead.
            if request.user.has_perm("plans.view_unitplan_summary", plan) and plan.is_published:
                return redirect("plans:unit-plan-summary", pk=plan.pk)
            raise Http404
        context = plan_context(request, plan)
        context["latest_changes"] = plan.changes.select_related("actor")[:5]
        context["agreed_points"] = points_for_unit(request.user, plan.unit)
        for point in context["agreed_points"]:
            point.can_mark = request.user.has_perm("plans.change_agreedpoint", point)
        context["can_see_dialogues"] = request.user.has_perm("plans.access_dialogues")
        return render(request, "plans/unit_plans/detail.html", context)


class UnitPlanSummaryView(MemberRequiredMixin, View):
    """What elected officials read: the plan's areas, goals and measures with their
    status, without names of staff or working notes. Only approved or evaluated plans."""

    def get(self, request, pk: int):
        plan = visible_plan(request, pk)
        if not plan.is_published:
            raise Http404
        self.require("plans.view_unitplan_summary", plan)
        context = plan_context(request, plan)
        return render(request, "plans/unit_plans/summary.html", context)


class UnitPlanHistoryView(MemberRequiredMixin, View):
    def get(self, request, pk: int):
        plan = visible_plan(request, pk)
        if not request.user.has_perm("plans.view_unitplan_detail", plan):
            raise PermissionDenied
        changes = plan.changes.select_related("actor")
        return render(request, "plans/unit_plans/history.html", {"plan": plan, "changes": changes})


def _message(error: Exception) -> str:
    if isinstance(error, PlanLocked):
        return error.message
    if isinstance(error, ValidationError):
        return error_text(error)
    return str(error)


def _conflict_rows(form, current) -> list[dict]:
    """Field by field: what the editor tried to save and what is saved now."""
    rows = []
    for name, value in form.service_data().items():
        field = form.fields[name]
        saved = field_value_display(instance=current, field_name=name)
        if hasattr(value, "__iter__") and not isinstance(value, str):
            if name == "target_groups":
                labels = dict(field.choices)
                mine = ", ".join(str(labels.get(v, v)) for v in value)
            else:
                mine = ", ".join(str(v) for v in value)
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            mine = str(dict(field.choices).get(value, value or ""))
        elif hasattr(value, "strftime"):
            mine = value.strftime("%d.%m.%Y")
        else:
            mine = "" if value is None else str(value)
        if name == "responsible" and value is not None:
            mine = value.get_full_name() or value.username
        rows.append({"label": field.label, "mine": mine, "saved": saved, "differs": mine != saved})
    return rows


class _PlanFormMixin:
    """Renders a plan form as a fragment for htmx or inside a full page, and the conflict
    page when the row changed since the form was loaded."""

    def render_form(self, request, plan, form, *, title, action, part=None, status=200):
        context = {
            "plan": plan,
            "form": form,
            "title": title,
            "action": action,
            "part": part,
            "inline": is_htmx(request),
            "cancel_url": reverse("plans:unit-plan-detail", args=[plan.pk]),
        }
        template = (
            "plans/unit_plans/_part_form.html"
            if is_htmx(request)
            else "plans/unit_plans/form_page.html"
        )
        return render(request, template, context, status=status)

    def render_conflict(self, request, plan, form, conflict: EditConflict, *, title, action, part):
        current = conflict.current
        rows = _conflict_rows(form, current)
        # The retry form keeps everything the editor typed and carries the new version,
        # so saving it again is a deliberate choice to overwrite.
        data = request.POST.copy()
        data["version"] = str(current.version)
        retry = type(form)(data, instance=current, plan=plan, user=form.user)
        retry.is_valid()
        last = plan.changes.select_related("actor").first()
        context = {
            "plan": plan,
            "form": retry,
            "rows": rows,
            "title": title,
            "action": action,
            "part": part,
            "last_change": last,
            "inline": is_htmx(request),
            "cancel_url": reverse("plans:unit-plan-detail", args=[plan.pk]),
        }
        template = (
            "plans/unit_plans/_conflict.html"
            if is_htmx(request)
            else "plans/unit_plans/conflict.html"
        )
        return render(request, template, context, status=409 if not is_htmx(request) else 200)


class UnitPlanEditView(MemberRequiredMixin, _PlanFormMixin, View):
    def load_objects(self):
        self.plan = visible_plan(self.request, self.kwargs["pk"])
        self.require("plans.change_unitplan", self.plan)

    def get(self, request, pk: int):
        form = UnitPlanForm(instance=self.plan, plan=self.plan)
        return self.render_form(request, self.plan, form, **self._labels())

    def _labels(self):
        return {
            "title": _("Områder, kjernekomponenter og innledning"),
            "action": reverse("plans:unit-plan-edit", args=[self.plan.pk]),
        }

    def post(self, request, pk: int):
        form = UnitPlanForm(request.POST, instance=self.plan, plan=self.plan)
        if not form.is_valid():
            return self.render_form(request, self.plan, form, **self._labels())
        try:
            services.unit_plan_update(
                plan=self.plan,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
                actor=request.user,
            )
        except EditConflict as conflict:
            fresh = UnitPlan.objects.get(pk=self.plan.pk)
            return self.render_conflict(request, fresh, form, conflict, part=None, **self._labels())
        except (PlanLocked, ValidationError) as error:
            form.add_error(None, _message(error))
            return self.render_form(request, self.plan, form, **self._labels())
        messages.success(request, _("Planen er lagret."))
        return redirect("plans:unit-plan-detail", pk=self.plan.pk)


class UnitPlanPartView(MemberRequiredMixin, _PlanFormMixin, View):
    """Add (no part_pk) or edit a goal, a measure or a participation process."""

    def load_objects(self):
        part = self.kwargs["part"]
        if part not in PART_MODELS:
            raise Http404
        self.part = part
        self.model = PART_MODELS[part]
        self.plan = visible_plan(self.request, self.kwargs["pk"])
        if not (
            self.request.user.has_perm("plans.change_unitplan", self.plan)
            or self.request.user.has_perm("plans.evaluate_unitplan", self.plan)
        ):
            raise PermissionDenied
        part_pk = self.kwargs.get("part_pk")
        self.instance = (
            get_object_or_404(self.model, pk=part_pk, plan=self.plan) if part_pk else None
        )
        if self.instance is None and not unit_plan_editable_fields(
            plan=self.plan, model=self.model
        ):
            raise PermissionDenied

    def _labels(self):
        names = {
            "goal": (_("Nytt lokalt mål"), _("Endre lokalt mål")),
            "measure": (_("Nytt tiltak"), _("Endre tiltak")),
            "participation": (_("Ny medvirkningsprosess"), _("Endre medvirkningsprosess")),
        }[self.part]
        if self.instance is None:
            action = reverse("plans:unit-plan-part-add", args=[self.plan.pk, self.part])
        else:
            action = reverse(
                "plans:unit-plan-part-edit", args=[self.plan.pk, self.part, self.instance.pk]
            )
        return {"title": names[0] if self.instance is None else names[1], "action": action}

    def form(self, data=None):
        return PART_FORMS[self.part](
            data, instance=self.instance, plan=self.plan, user=self.request.user
        )

    def get(self, request, **kwargs):
        return self.render_form(request, self.plan, self.form(), part=self.part, **self._labels())

    def post(self, request, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(request, self.plan, form, part=self.part, **self._labels())
        try:
            saved = services.unit_plan_part_save(
                plan=self.plan,
                model=self.model,
                data=form.service_data(),
                actor=request.user,
                instance=self.instance,
                expected_version=form.expected_version,
            )
        except EditConflict as conflict:
            return self.render_conflict(
                request, self.plan, form, conflict, part=self.part, **self._labels()
            )
        except (PlanLocked, ValidationError) as error:
            form.add_error(None, _message(error))
            return self.render_form(request, self.plan, form, part=self.part, **self._labels())
        if isinstance(saved, Measure) and saved.reaches_single_group:
            messages.warning(
                request,
                _(
                    "Tiltaket når bare én målgruppe. Planen bygger på samtidighet: vurder om "
                    "ansatte, barn og unge, foresatte og frivillige og kultur kan nås samtidig."
                ),
            )
        else:
            messages.success(request, _("Lagret."))
        return section_response(request, self.plan, self.part)


def section_response(request, plan: UnitPlan, part: str):
    """After a save: the updated section for htmx, the plan page otherwise."""
    if not is_htmx(request):
        return HttpResponseRedirect(
            reverse("plans:unit-plan-detail", args=[plan.pk]) + f"#section-{part}"
        )
    plan = visible_plan(request, plan.pk)
    context = plan_context(request, plan)
    # The submit box says what is still missing; it changes with every goal and measure.
    response = render(request, SECTION_TEMPLATES[part], context)
    context["oob"] = True
    response.content += render_to_string(
        "plans/unit_plans/_section_submit.html", context, request=request
    ).encode()
    response["HX-Retarget"] = f"#section-{part}"
    response["HX-Reswap"] = "outerHTML"
    return response


class UnitPlanPartDeleteView(MemberRequiredMixin, View):
    def load_objects(self):
        if self.kwargs["part"] not in PART_MODELS:
            raise Http404
        self.part = self.kwargs["part"]
        self.plan = visible_plan(self.request, self.kwargs["pk"])
        self.require("plans.change_unitplan", self.plan)
        self.instance = get_object_or_404(
            PART_MODELS[self.part], pk=self.kwargs["part_pk"], plan=self.plan
        )

    def get(self, request, **kwargs):
        return render(
            request,
            "plans/unit_plans/confirm_delete.html",
            {"plan": self.plan, "object": self.instance, "part": self.part},
        )

    def post(self, request, **kwargs):
        try:
            services.unit_plan_part_delete(
                plan=self.plan, instance=self.instance, actor=request.user
            )
        except PlanLocked as error:
            messages.error(request, error.message)
            return redirect("plans:unit-plan-detail", pk=self.plan.pk)
        messages.success(request, _("Slettet."))
        return section_response(request, self.plan, self.part)


class UnitPlanSubmitView(MemberRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        plan = visible_plan(request, pk)
        self.require("plans.submit_unitplan", plan)
        try:
            services.unit_plan_submit(plan=plan, actor=request.user)
        except (PlanLocked, ValidationError) as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, _("Planen er sendt til godkjenning."))
        return redirect("plans:unit-plan-detail", pk=plan.pk)


class UnitPlanReviewView(MemberRequiredMixin, View):
    """The sector leader approves the submitted plan or returns it with a comment."""

    def load_objects(self):
        self.plan = visible_plan(self.request, self.kwargs["pk"])
        self.require("plans.review_unitplan", self.plan)

    def render_page(self, request, form, status=200):
        context = plan_context(request, self.plan)
        context["form"] = form
        # What keeps the plan from approval (a missing owner), before the button is pressed.
        context["approval_problems"] = unit_plan_approval_problems(plan=self.plan)
        return render(request, "plans/unit_plans/review.html", context, status=status)

    def get(self, request, pk: int):
        return self.render_page(request, ReviewForm())

    def post(self, request, pk: int):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form)
        comment = form.cleaned_data["comment"] or ""
        try:
            if form.cleaned_data["decision"] == "approve":
                services.unit_plan_approve(plan=self.plan, actor=request.user, comment=comment)
                messages.success(request, _("Planen er godkjent."))
            else:
                services.unit_plan_return(plan=self.plan, actor=request.user, comment=comment)
                messages.success(request, _("Planen er returnert til enheten."))
        except (PlanLocked, ValidationError) as error:
            form.add_error(None, _message(error))
            return self.render_page(request, form)
        return redirect("plans:unit-plan-detail", pk=self.plan.pk)


class UnitPlanEvaluateView(MemberRequiredMixin, View):
    def load_objects(self):
        self.plan = visible_plan(self.request, self.kwargs["pk"])
        self.require("plans.evaluate_unitplan", self.plan)

    def render_page(self, request, form):
        context = plan_context(request, self.plan)
        context["form"] = form
        context["problems"] = unit_plan_evaluation_problems(plan=self.plan)
        return render(request, "plans/unit_plans/evaluate.html", context)

    def get(self, request, pk: int):
        form = EvaluationForm(
            initial={"evaluation": self.plan.evaluation, "version": self.plan.version}
        )
        return self.render_page(request, form)

    def post(self, request, pk: int):
        form = EvaluationForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form)
        try:
            services.unit_plan_evaluate(
                plan=self.plan,
                actor=request.user,
                evaluation=form.cleaned_data["evaluation"],
                expected_version=form.cleaned_data.get("version"),
            )
        except EditConflict:
            form.add_error(
                None,
                _(
                    "Planen ble endret av noen andre mens du skrev. Teksten din er beholdt "
                    "under; se over og lagre igjen."
                ),
            )
            data = request.POST.copy()
            data["version"] = str(UnitPlan.objects.get(pk=self.plan.pk).version)
            kept = EvaluationForm(data)
            kept.is_valid()
            kept.add_error(None, form.non_field_errors()[0])
            return self.render_page(request, kept)
        except (PlanLocked, ValidationError) as error:
            form.add_error(None, _message(error))
            return self.render_page(request, form)
        messages.success(request, _("Året er evaluert. Takk!"))
        return redirect("plans:unit-plan-detail", pk=self.plan.pk)
