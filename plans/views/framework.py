"""The framework: the plan in force drawn as a wheel, then a page per development area and
per core component with the units working on it, their measures and what children,
youth, parents and staff have said about it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from plans.models import CoreComponent
from plans.schoolyear import SchoolYear
from plans.selectors.quality import (
    areas_with_components,
    inputs_on_area,
    inputs_on_component,
    plan_in_force,
    split_lines,
    unit_work_on_area,
    unit_work_on_component,
    visible_areas,
    visible_components,
)
from plans.selectors.trace import area_trace, scope_for
from plans.views.gate import MemberRequiredMixin
from plans.wheel import framework_wheel


class FrameworkView(MemberRequiredMixin, TemplateView):
    template_name = "plans/framework/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        in_force = plan_in_force(self.request.user)
        context["plan"] = in_force.plan
        context["is_draft"] = in_force.is_draft
        if in_force.plan is not None:
            areas = areas_with_components(in_force.plan)
            context["areas"] = areas
            context["wheel"] = framework_wheel(
                in_force.plan,
                areas,
                href_for=lambda area: reverse("plans:framework-area", args=[area.pk]),
            )
        return context


class FrameworkAreaView(MemberRequiredMixin, TemplateView):
    template_name = "plans/framework/area.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = get_object_or_404(
            visible_areas(user)
            .select_related("plan", "owner")
            .prefetch_related(
                Prefetch("components", queryset=CoreComponent.objects.order_by("order", "pk")),
                "characteristics",
            ),
            pk=self.kwargs["pk"],
        )
        context.update(
            area=area,
            plan=area.plan,
            meaning_lines=split_lines(area.meaning_for_individual),
            work=unit_work_on_area(user, area),
            inputs=inputs_on_area(user, area),
            school_year=SchoolYear.current().label,
        )
        return context


class FrameworkComponentView(MemberRequiredMixin, TemplateView):
    template_name = "plans/framework/component.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        component = get_object_or_404(
            visible_components(user).select_related("area__plan"), pk=self.kwargs["pk"]
        )
        context.update(
            component=component,
            area=component.area,
            plan=component.area.plan,
            work=unit_work_on_component(user, component),
            inputs=inputs_on_component(user, component),
            school_year=SchoolYear.current().label,
        )
        return context


class FrameworkTraceView(MemberRequiredMixin, TemplateView):
    """One development area traced from what children, youth and parents said to the
    marks of good practice, the units' measures, the indicators and the evaluation, each
    link an anchor on the page. What the viewer sees is their own scope (``scope_for``):
    elected officials only consented input and published plans."""

    template_name = "plans/framework/trace.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = get_object_or_404(visible_areas(user).select_related("plan"), pk=self.kwargs["pk"])
        context.update(
            area=area,
            plan=area.plan,
            trace=area_trace(
                area=area, school_year=SchoolYear.current().start_year, scope=scope_for(user)
            ),
        )
        return context
