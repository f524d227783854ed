"""The competence plan's reports: the activity table with its exports, the budget per
funding scheme, the funding schemes themselves and the yearly evaluation.

The table is every member's (elected officials too); the budget is for the sector leader
and the elected officials; the evaluation shows counts and averages only, never names."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from competence import exports
from competence.forms_reports import (
    ActivityTableFilterForm,
    FundingGrantFormSet,
    FundingSchemeForm,
    SchoolYearForm,
)
from competence.models import FundingGrant, FundingScheme
from competence.selectors.reports import (
    activity_table,
    budget_overview,
    evaluation,
    published_evaluation,
    school_years_with_activities,
    table_rows,
)
from competence.services.funding import funding_scheme_save
from plans import charts, disclosure
from plans.schoolyear import SchoolYear
from plans.selectors.assessment import plan_in_force
from plans.views.gate import MemberRequiredMixin, own_municipality

THOUSAND = Decimal(1000)

# --- The activity table -------------------------------------------------------------------


class ActivityTableMixin(MemberRequiredMixin):
    """The filter and the rows the page and every export share."""

    def load_objects(self):
        user = self.request.user
        self.municipality = own_municipality(user)
        self.require("competence.view_activity", self.municipality)
        self.filter_form = ActivityTableFilterForm(
            self.request.GET or None,
            years=school_years_with_activities(user),
            plan=plan_in_force(user),
            schemes=FundingScheme.objects.visible_to(user).order_by("name"),
        )
        self.school_year, self.filters = self.filter_form.selection()

    def rows(self):
        return table_rows(activity_table(self.request.user, self.school_year, self.filters))


class ActivityTableView(ActivityTableMixin, TemplateView):
    template_name = "competence/reports/activity_table.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        query["year"] = self.school_year
        context.update(
            filter_form=self.filter_form,
            rows=self.rows(),
            school_year=SchoolYear(self.school_year).label,
            query_string=query.urlencode(),
            formats=exports.FORMATS,
            can_add=user.has_perm("competence.add_activity", self.municipality),
        )
        return context


class ActivityTableExportView(ActivityTableMixin, View):
    def load_objects(self):
        if self.kwargs["fmt"] not in exports.FORMATS:
            raise Http404
        super().load_objects()

    def get(self, request, *args, **kwargs):
        return exports.activity_table_export(
            self.kwargs["fmt"],
            self.rows(),
            school_year=self.school_year,
            municipality=self.municipality,
            filters=self.filter_form.summary(),
        )


# --- Budget and funding schemes ----------------------------------------------------------


def _years_with_money(user) -> list[int]:
    grant_years = FundingGrant.objects.filter(
        scheme__in=FundingScheme.objects.visible_to(user)
    ).values_list("school_year", flat=True)
    return sorted(set(school_years_with_activities(user)) | set(grant_years), reverse=True)


class BudgetView(MemberRequiredMixin, TemplateView):
    template_name = "competence/reports/budget.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        self.require("competence.view_budget", self.municipality)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = SchoolYearForm(self.request.GET or None, years=_years_with_money(user))
        overview = budget_overview(user, form.school_year())
        context.update(
            year_form=form,
            overview=overview,
            school_year=SchoolYear(overview.school_year).label,
            chart=self.chart(overview),
            can_manage=user.has_perm("competence.manage_funding", self.municipality),
        )
        return context

    def chart(self, overview):
        # In thousands of kroner: the chart's axis steps are made for small numbers.
        bars = []
        for row in overview.rows:
            if row.grant is not None:
                bars.append((_("%(scheme)s: tilskudd") % {"scheme": row.label}, row.grant))
            bars.append((_("%(scheme)s: planlagt") % {"scheme": row.label}, row.planned))
            bars.append((_("%(scheme)s: brukt") % {"scheme": row.label}, row.used))
        bars = [(label, value / THOUSAND) for label, value in bars]
        highest = max((value for _label, value in bars), default=0)
        if not highest:
            return None
        return charts.bar_chart(
            title=_("Tilskudd, planlagt og brukt per tilskuddsordning %(year)s (1000 kr)")
            % {"year": SchoolYear(overview.school_year).label},
            bars=bars,
            max_value=highest,
            decimals=0,
            description=_(
                "Liggende søyler i tusen kroner: for hver tilskuddsordning tilskuddet for "
                "året, det tiltakene har planlagt å bruke og det de har brukt. De nøyaktige "
                "tallene står i tabellen over."
            ),
        )


class FundingSchemeListView(MemberRequiredMixin, TemplateView):
    template_name = "competence/reports/funding_list.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        self.require("competence.manage_funding", self.municipality)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["schemes"] = (
            FundingScheme.objects.visible_to(self.request.user)
            .prefetch_related(
                Prefetch("grants", queryset=FundingGrant.objects.order_by("-school_year"))
            )
            .order_by("-active", "name")
        )
        return context


class FundingSchemeFormMixin(MemberRequiredMixin):
    template_name = "competence/reports/funding_form.html"
    instance: FundingScheme | None = None

    def load_municipality(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            # A superuser without a membership has no municipality to keep schemes for.
            raise PermissionDenied

    def forms(self, data=None):
        form = FundingSchemeForm(data, instance=self.instance, municipality=self.municipality)
        formset = FundingGrantFormSet(
            data, instance=self.instance or FundingScheme(), prefix="grants"
        )
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                funding_scheme_save(
                    municipality=self.municipality,
                    data=form.cleaned_data,
                    grants=formset.grants(),
                    actor=request.user,
                    instance=self.instance,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Tilskuddsordningen er lagret."))
                return redirect("competence:funding-list")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context


class FundingSchemeCreateView(FundingSchemeFormMixin, TemplateView):
    def load_objects(self):
        self.load_municipality()
        self.require("competence.manage_funding", self.municipality)


class FundingSchemeUpdateView(FundingSchemeFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            FundingScheme.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("competence.manage_funding", self.instance)
        self.load_municipality()


# --- The yearly evaluation ----------------------------------------------------------------


class EvaluationMixin(MemberRequiredMixin):
    permission = "competence.view_evaluation"

    def load_objects(self):
        user = self.request.user
        self.municipality = own_municipality(user)
        self.require(self.permission, self.municipality)
        self.year_form = SchoolYearForm(
            self.request.GET or None, years=school_years_with_activities(user)
        )
        self.evaluation = published_evaluation(evaluation(user, self.year_form.school_year()))


class EvaluationView(EvaluationMixin, TemplateView):
    template_name = "competence/reports/evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = self.evaluation
        rated = [row for row in result.rows if row.attendance_rate is not None]
        context.update(
            year_form=self.year_form,
            evaluation=result,
            suppression=disclosure.legend(),
            school_year=SchoolYear(result.school_year).label,
            query_string=urlencode({"year": result.school_year}),
            formats=exports.FORMATS,
            can_export=self.request.user.has_perm(
                "competence.export_evaluation", self.municipality
            ),
            chart=charts.bar_chart(
                title=_("Oppmøte per tiltak %(year)s")
                % {"year": SchoolYear(result.school_year).label},
                bars=[(row.activity.title, row.attendance_rate) for row in rated],
                max_value=100,
                decimals=1,
                description=_(
                    "Liggende søyler med andelen påmeldte som møtte, i prosent, for hvert "
                    "tiltak med gjennomførte samlinger. Tallene står i tabellen under."
                ),
            )
            if rated
            else None,
        )
        return context


class EvaluationExportView(EvaluationMixin, View):
    permission = "competence.export_evaluation"

    def load_objects(self):
        if self.kwargs["fmt"] not in exports.FORMATS:
            raise Http404
        super().load_objects()

    def get(self, request, *args, **kwargs):
        return exports.evaluation_export(
            self.kwargs["fmt"], self.evaluation, municipality=self.municipality
        )
