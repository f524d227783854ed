"""The BTI coordinator's follow-up per unit (/bti/oppfolging/) and its CSV: statistics from
the consultation meetings' protocols and the non-personal statistics rows; nothing about a
named child, so no second factor (like /bti/statistikk/)."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from btitracker.forms_followup import FollowUpFilterForm
from btitracker.selectors.followup import followup_for, school_years
from btitracker.views.cases import BtiMemberRequiredMixin, NoStoreMixin
from plans.access import access_for
from plans.resources import escape_formula
from plans.schoolyear import SchoolYear


class _FollowUpMixin(NoStoreMixin, BtiMemberRequiredMixin):
    permission_required = "btitracker.follow_up_units"

    def followup(self) -> tuple[FollowUpFilterForm, dict | None]:
        user = self.request.user
        current = SchoolYear.current().start_year
        form = FollowUpFilterForm(
            self.request.GET,
            years=school_years(access_for(user).municipality_id),
            current_year=current,
        )
        year, kind = form.values()
        return form, followup_for(user, school_year=year, kind=kind)


class UnitFollowUpListView(_FollowUpMixin, TemplateView):
    template_name = "btitracker/followup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"], context["followup"] = self.followup()
        context["export_query"] = self.request.GET.urlencode()
        return context


class UnitFollowUpExportView(_FollowUpMixin, View):
    """The page's table as CSV (semicolons, for Excel): the same cells, «<5» and «:»
    included, never a withheld number."""

    def get(self, request):
        _form, followup = self.followup()
        assert followup is not None  # the gate asked the same rule
        year = followup["school_year"]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"bti-oppfolging-{year.slug}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                _("Skoleår"),
                _("Type enhet"),
                _("Enhet"),
                _("Møter planlagt hele året"),
                _("Møter planlagt hittil"),
                _("Møter holdt"),
                _("Møter avlyst"),
                _("Sist holdt"),
                _("Oppmøte per tjeneste (møter)"),
                _("Tiltak fulgt opp i tide"),
                _("Tiltak fulgt opp for sent"),
                _("Tiltak forfalt, ikke fulgt opp"),
                _("Nye undringer og stafettlogger"),
                _("Gjennomsnittsalder ved første undring"),
            ]
        )
        for table in followup["tables"]:
            for row in table.rows:
                writer.writerow(
                    escape_formula(value)
                    for value in [
                        year.label,
                        table.label,
                        row.name,
                        row.planned,
                        row.planned_so_far,
                        row.held,
                        row.cancelled,
                        row.last_held.strftime("%d.%m.%Y") if row.last_held else "",
                        ", ".join(f"{name}: {count}" for name, count in row.attendance),
                        row.actions.on_time,
                        row.actions.late,
                        row.actions.overdue,
                        row.events["text"],
                        "" if row.first_age is None else str(row.first_age).replace(".", ","),
                    ]
                )
            writer.writerow([year.label, table.label, _("Sum"), *[""] * 9, table.total["text"], ""])
        return response
