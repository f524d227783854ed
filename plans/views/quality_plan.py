"""The quality plan's pages: the revisions, the plan as a document, editing a draft part by
part, adopting, starting a new revision, comparing two revisions and the history.

Every page finds the plan through ``QualityPlan.objects.visible_to`` (404 outside the
user's scope) and then asks the plan's rule for the action (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from plans.access import access_for
from plans.forms_quality import (
    PARTS,
    AdoptForm,
    CompareForm,
    QualityPlanForm,
    revision_label,
)
from plans.models import Municipality, QualityPlan
from plans.selectors.quality import compare_plans, plan_document, quality_plan_adoption_problems
from plans.services.history import EditConflict, PlanLocked, fields_snapshot
from plans.services.quality_plan import (
    PLAN_FIELDS,
    quality_plan_adopt,
    quality_plan_create,
    quality_plan_part_delete,
    quality_plan_part_save,
    quality_plan_revise,
    quality_plan_update,
)
from plans.views.gate import MemberRequiredMixin, add_service_errors


def detail_url(plan: QualityPlan, section: str = "") -> str:
    url = reverse("plans:quality-plan-detail", args=[plan.pk])
    return f"{url}#{section}" if section else url


class QualityPlanObjectMixin:
    """Loads ``self.plan`` from the user's visible plans and checks ``plan_permission``
    on it. Comes after MemberRequiredMixin, so it runs for logged-in members only."""

    plan_permission: str | None = "plans.view_qualityplan"

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_object_or_404(
            QualityPlan.objects.visible_to(request.user).select_related("municipality", "owner"),
            pk=kwargs["pk"],
        )
        if self.plan_permission and not request.user.has_perm(self.plan_permission, self.plan):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        return context


class QualityPlanListView(MemberRequiredMixin, TemplateView):
    """The revisions the user may read, a compare form, and for a sector leader of a
    municipality with no plan yet the form that starts the first one."""

    template_name = "plans/quality/list.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plans = QualityPlan.objects.visible_to(user).select_related("previous")
        context["plans"] = plans
        if len(plans) >= 2:
            context["compare_form"] = CompareForm(
                plans=plans, initial={"a": plans[1].pk, "b": plans[0].pk}
            )
        if form is None and self._may_create() and not plans:
            form = QualityPlanForm(municipality_id=access_for(user).municipality_id)
        context["create_form"] = form
        return context

    def _may_create(self) -> bool:
        user = self.request.user
        return user.has_perm("plans.add_qualityplan") and bool(access_for(user).municipality_id)

    def post(self, request, *args, **kwargs):
        if not self._may_create():
            raise PermissionDenied
        municipality = get_object_or_404(Municipality, pk=access_for(request.user).municipality_id)
        form = QualityPlanForm(request.POST, municipality_id=municipality.pk)
        if form.is_valid():
            try:
                plan = quality_plan_create(
                    municipality=municipality, actor=request.user, data=form.service_data()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Utkastet til kvalitetsplan er opprettet."))
                return redirect(detail_url(plan))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class QualityPlanDetailView(MemberRequiredMixin, QualityPlanObjectMixin, TemplateView):
    template_name = "plans/quality/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = plan_document(self.plan)
        context["parts"] = PARTS
        if not self.plan.is_adopted and self.request.user.has_perm(
            "plans.adopt_qualityplan", self.plan
        ):
            # The missing owners (and the rest) before the adopt button is pressed.
            context["adoption_problems"] = quality_plan_adoption_problems(plan=self.plan)
        context["draft_revision"] = (
            QualityPlan.objects.visible_to(self.request.user)
            .filter(previous=self.plan, adopted_on__isnull=True)
            .first()
            if self.plan.is_adopted
            else None
        )
        return context


class QualityPlanEditView(MemberRequiredMixin, QualityPlanObjectMixin, TemplateView):
    """The plan's header. A save from a stale version shows both versions side by side and
    keeps the user's text in the form, now carrying the current version."""

    template_name = "plans/quality/edit.html"
    plan_permission = "plans.change_qualityplan"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or QualityPlanForm(instance=self.plan)
        return context

    def post(self, request, *args, **kwargs):
        form = QualityPlanForm(request.POST, instance=self.plan)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            quality_plan_update(
                plan=self.plan,
                data=form.service_data(),
                expected_version=form.expected_version,
                actor=request.user,
            )
        except EditConflict as conflict:
            return self._conflict(conflict)
        except PlanLocked as locked:
            messages.error(request, locked.message)
            return redirect(detail_url(self.plan))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("Endringene er lagret."))
        return redirect(detail_url(self.plan))

    def _conflict(self, conflict: EditConflict):
        current = conflict.current
        shown = fields_snapshot(instance=current, fields=PLAN_FIELDS)
        attempted = QualityPlan(**{name: conflict.attempted.get(name) for name in PLAN_FIELDS})
        theirs = fields_snapshot(instance=attempted, fields=PLAN_FIELDS)
        rows = [
            {
                "label": QualityPlanForm.base_fields[name].label,
                "current": shown[name],
                "attempted": theirs[name],
                "differs": shown[name] != theirs[name],
            }
            for name in PLAN_FIELDS
        ]
        # The user's text stays in the form; saving again now overwrites knowingly.
        data = self.request.POST.copy()
        data["version"] = str(current.version)
        form = QualityPlanForm(data, instance=QualityPlan.objects.get(pk=current.pk))
        context = self.get_context_data(form=form, conflict_rows=rows, current=current)
        return self.render_to_response(context, status=409)


class PartMixin(QualityPlanObjectMixin):
    """Resolves ``part`` (and ``part_pk``) from the URL through the PARTS registry."""

    plan_permission = "plans.change_qualityplan"

    def dispatch(self, request, *args, **kwargs):
        self.part = PARTS.get(kwargs["part"])
        if self.part is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_row(self):
        return get_object_or_404(self.part.rows_of(self.plan), pk=self.kwargs["part_pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["part"] = self.part
        context["part_name"] = self.kwargs["part"]
        return context

    def done(self, instance=None):
        section = self.part.section
        if instance is not None and self.part.section == "areas":
            area_id = getattr(instance, "area_id", None) or instance.pk
            section = f"area-{area_id}"
        return HttpResponseRedirect(detail_url(self.plan, section))


class QualityPlanPartFormMixin(PartMixin):
    template_name = "plans/quality/part_form.html"
    instance = None

    def make_form(self, data=None):
        initial = {}
        area = self.request.GET.get("area")
        if self.instance is None and area and area.isdigit():
            initial["area"] = int(area)
        return self.part.form(
            data, instance=self.instance, plan=self.plan, user=self.request.user, initial=initial
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or self.make_form()
        context["instance"] = self.instance
        context["page_title"] = (
            _("Endre %(kind)s") % {"kind": self.part.label}
            if self.instance
            else self.part.add_label
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                saved = quality_plan_part_save(
                    plan=self.plan,
                    model=self.part.model,
                    data=form.service_data(),
                    actor=request.user,
                    instance=self.instance,
                )
            except PlanLocked as locked:
                messages.error(request, locked.message)
                return redirect(detail_url(self.plan))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Endringene er lagret."))
                return self.done(saved)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class QualityPlanPartAddView(MemberRequiredMixin, QualityPlanPartFormMixin, TemplateView):
    pass


class QualityPlanPartEditView(MemberRequiredMixin, QualityPlanPartFormMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        self.instance = self.get_row()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.instance = self.get_row()
        return super().post(request, *args, **kwargs)


class QualityPlanPartDeleteView(MemberRequiredMixin, PartMixin, TemplateView):
    """GET asks for confirmation; POST removes the row."""

    template_name = "plans/quality/part_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context

    def get(self, request, *args, **kwargs):
        self.instance = self.get_row()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.instance = self.get_row()
        try:
            quality_plan_part_delete(plan=self.plan, instance=self.instance, actor=request.user)
        except (PlanLocked, ValidationError) as error:
            messages.error(request, _message(error))
            return redirect(detail_url(self.plan))
        messages.success(request, _("«%(name)s» er slettet.") % {"name": self.instance})
        return HttpResponseRedirect(detail_url(self.plan, self.part.section))


def _message(error: Exception) -> str:
    if isinstance(error, PlanLocked):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class QualityPlanAdoptView(MemberRequiredMixin, QualityPlanObjectMixin, TemplateView):
    template_name = "plans/quality/adopt.html"
    plan_permission = "plans.adopt_qualityplan"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or AdoptForm()
        context["problems"] = quality_plan_adoption_problems(plan=self.plan)
        return context

    def post(self, request, *args, **kwargs):
        form = AdoptForm(request.POST)
        if form.is_valid():
            try:
                quality_plan_adopt(
                    plan=self.plan,
                    adopted_on=form.cleaned_data["adopted_on"],
                    council_case=form.cleaned_data["council_case"],
                    actor=request.user,
                )
            except PlanLocked as locked:
                messages.error(request, locked.message)
                return redirect(detail_url(self.plan))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Planen er markert som vedtatt."))
                return redirect(detail_url(self.plan))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class QualityPlanReviseView(MemberRequiredMixin, QualityPlanObjectMixin, View):
    """POST only: start the next revision as a draft copy of this adopted plan."""

    http_method_names = ["post"]
    plan_permission = "plans.revise_qualityplan"

    def post(self, request, *args, **kwargs):
        try:
            revision = quality_plan_revise(plan=self.plan, actor=request.user)
        except (PlanLocked, ValidationError) as error:
            messages.error(request, _message(error))
            return redirect(detail_url(self.plan))
        messages.success(
            request,
            _("Revisjon %(revision)s er opprettet som utkast.") % {"revision": revision.revision},
        )
        return redirect(detail_url(revision))


class QualityPlanCompareView(MemberRequiredMixin, TemplateView):
    """Two revisions side by side. Both must be visible to the user; anything else is
    not found."""

    template_name = "plans/quality/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plans = QualityPlan.objects.visible_to(self.request.user)
        form = CompareForm(self.request.GET or None, plans=plans)
        context["form"] = form
        if form.is_bound:
            if not form.is_valid():
                raise Http404
            a, b = form.cleaned_data["a"], form.cleaned_data["b"]
            context["comparison"] = compare_plans(a, b)
            context["label_a"] = revision_label(a)
            context["label_b"] = revision_label(b)
        return context


class QualityPlanHistoryView(MemberRequiredMixin, QualityPlanObjectMixin, TemplateView):
    template_name = "plans/quality/history.html"
    plan_permission = "plans.view_qualityplan_history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["changes"] = self.plan.changes.select_related("actor")
        return context
