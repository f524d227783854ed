"""The sector dashboard: how the development areas and the units' plans stand this year."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from plans.schoolyear import SchoolYear
from plans.selectors import dashboard as selectors
from plans.views.gate import MemberRequiredMixin


class DashboardYearForm(forms.Form):
    """Which school year to show; the choices are the years the dashboard has data for."""

    year = forms.TypedChoiceField(
        label=_("Skoleår"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "«%(value)s» er ikke et skoleår oversikten kan vise. Velg et skoleår i listen."
            )
        },
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, SchoolYear(year).label) for year in years]


class SectorDashboardView(MemberRequiredMixin, TemplateView):
    template_name = "plans/dashboard/dashboard.html"
    permission_required = "plans.view_dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        current = SchoolYear.current(today).start_year
        municipality = selectors.dashboard_municipality(user)
        years = selectors.dashboard_years(user, municipality, today=today)
        form = DashboardYearForm(
            self.request.GET if "year" in self.request.GET else None, years=years
        )
        year = current
        if form.is_bound and form.is_valid() and form.cleaned_data["year"] is not None:
            year = form.cleaned_data["year"]
        if not form.is_bound:
            form = DashboardYearForm(initial={"year": current}, years=years)
        context.update(
            form=form,
            year_invalid=form.is_bound and not form.is_valid(),
            current_year_label=SchoolYear(current).label,
            dashboard=selectors.sector_dashboard(
                user, municipality=municipality, year=year, today=today
            ),
            rule={
                "red_overdue": selectors.RED_OVERDUE_FROM,
                "red_moving": selectors.RED_MOVING_BELOW,
                "green_overdue": selectors.GREEN_OVERDUE_BELOW,
                "green_moving": selectors.GREEN_MOVING_FROM,
                "trend_threshold": selectors.TREND_THRESHOLD,
            },
        )
        return context
