"""Fortellinger: participation input (quotes from children, youth, parents, staff …) and
user journeys. Elected officials only ever get what was consented for publishing: the
querysets leave the rest out, so lists skip it and detail pages answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from plans.forms_participation import (
    JourneyStepFormSet,
    ParticipationFilterForm,
    ParticipationInputForm,
    UserJourneyForm,
    steps_from_formset,
)
from plans.models import ParticipationInput, StepAssessment, Unit, UserJourney
from plans.selectors import assessment as selectors_assessment
from plans.services.participation import (
    participation_input_delete,
    participation_input_save,
    user_journey_save,
)
from plans.views.gate import MemberRequiredMixin, own_municipality


class MunicipalityMixin(MemberRequiredMixin):
    def load_municipality(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            # A superuser without a membership has no municipality to register input in.
            raise PermissionDenied
        self.plan = selectors_assessment.plan_in_force(self.request.user)


# --- Participation input ------------------------------------------------------------------


class ParticipationInputListView(MemberRequiredMixin, ListView):
    template_name = "plans/participation/list.html"
    context_object_name = "inputs"
    paginate_by = 25

    def get_queryset(self):
        user = self.request.user
        self.filter_form = ParticipationFilterForm(
            self.request.GET or None,
            plan=selectors_assessment.plan_in_force(user),
            units=Unit.objects.visible_to(user).order_by("name"),
        )
        inputs = (
            ParticipationInput.objects.visible_to(user)
            .select_related("unit")
            .prefetch_related("areas", "components")
        )
        if not self.filter_form.is_valid():
            return inputs
        data = self.filter_form.cleaned_data
        if data["group"]:
            inputs = inputs.filter(group=data["group"])
        if data["setting"]:
            inputs = inputs.filter(setting=data["setting"])
        if data["area"]:
            inputs = inputs.filter(areas__key=data["area"].key).distinct()
        if data["unit"]:
            inputs = inputs.filter(unit=data["unit"])
        if data["only_publishable"]:
            inputs = inputs.published()
        return inputs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipality = own_municipality(user)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["can_add"] = municipality is not None and user.has_perm(
            "plans.add_participationinput", municipality
        )
        context["can_change"] = municipality is not None and user.has_perm(
            "plans.change_participationinput", municipality
        )
        context["can_delete"] = municipality is not None and user.has_perm(
            "plans.delete_participationinput", municipality
        )
        return context


class ParticipationInputFormMixin(MunicipalityMixin):
    template_name = "plans/participation/form.html"

    def get_form(self, data=None):
        user = self.request.user
        units = Unit.objects.visible_to(user).active().order_by("name")
        manages = user.has_perm("plans.change_participationinput", self.municipality)
        if not manages:
            # A unit leader registers input from their own units' processes.
            units = units.led_by(user)
        return ParticipationInputForm(
            data,
            instance=self.instance,
            plan=self.plan,
            units=units,
            unit_required=not manages,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                participation_input_save(
                    municipality=self.municipality,
                    data=form.cleaned_data,
                    actor=request.user,
                    instance=self.instance,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Innspillet er lagret."))
                return redirect("plans:participation-list")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        context["plan"] = self.plan
        return context


class ParticipationInputCreateView(ParticipationInputFormMixin, TemplateView):
    def load_objects(self):
        self.load_municipality()
        self.require("plans.add_participationinput", self.municipality)
        self.instance = None


class ParticipationInputUpdateView(ParticipationInputFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            ParticipationInput.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("plans.change_participationinput", self.instance)
        self.load_municipality()


class ParticipationInputDeleteView(MemberRequiredMixin, TemplateView):
    template_name = "plans/participation/delete.html"

    def load_objects(self):
        self.instance = get_object_or_404(
            ParticipationInput.objects.visible_to(self.request.user).select_related("unit"),
            pk=self.kwargs["pk"],
        )
        self.require("plans.delete_participationinput", self.instance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context

    def post(self, request, *args, **kwargs):
        participation_input_delete(instance=self.instance, actor=request.user)
        messages.success(request, _("Innspillet er slettet."))
        return redirect("plans:participation-list")


# --- User journeys ------------------------------------------------------------------------


class UserJourneyListView(MemberRequiredMixin, ListView):
    template_name = "plans/participation/journey_list.html"
    context_object_name = "journeys"
    paginate_by = 25

    def get_queryset(self):
        return (
            UserJourney.objects.visible_to(self.request.user)
            .annotate(
                step_count=Count("steps", distinct=True),
                weak_count=Count(
                    "steps",
                    filter=Q(steps__assessment=StepAssessment.WEAK),
                    distinct=True,
                ),
            )
            .prefetch_related("areas")
            # Aggregates drop the model's default ordering; pages need a stable one.
            .order_by("-carried_out_on", "title", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("plans.add_userjourney")
        return context


class UserJourneyDetailView(MemberRequiredMixin, TemplateView):
    template_name = "plans/participation/journey_detail.html"

    def load_objects(self):
        self.journey = get_object_or_404(
            UserJourney.objects.visible_to(self.request.user).prefetch_related("areas", "steps"),
            pk=self.kwargs["pk"],
        )
        self.require("plans.view_userjourney", self.journey)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        journey = self.journey
        context.update(
            journey=journey,
            steps=journey.steps.all(),
            findings=journey.finding_lines(),
            can_change=self.request.user.has_perm("plans.change_userjourney", journey),
        )
        return context


class UserJourneyFormMixin(MunicipalityMixin):
    template_name = "plans/participation/journey_form.html"

    def forms(self, data=None):
        form = UserJourneyForm(data, instance=self.instance, plan=self.plan)
        formset = JourneyStepFormSet(data, instance=self.instance or UserJourney(), prefix="steps")
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                journey = user_journey_save(
                    municipality=self.municipality,
                    data=form.cleaned_data,
                    steps=steps_from_formset(formset),
                    actor=request.user,
                    instance=self.instance,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Brukerreisen er lagret."))
                return redirect("plans:journey-detail", pk=journey.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context


class UserJourneyCreateView(UserJourneyFormMixin, TemplateView):
    def load_objects(self):
        self.load_municipality()
        self.require("plans.add_userjourney", self.municipality)
        self.instance = None


class UserJourneyUpdateView(UserJourneyFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            UserJourney.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("plans.change_userjourney", self.instance)
        self.load_municipality()
