"""Needs surveys: which surveyed needs the year's activities cover, and the CSV import.

The import runs in two steps. Step one parses and checks the file and shows every problem
or a preview; the parsed rows travel to step two signed (``TimestampSigner``, salted, one
hour), so the confirm step writes exactly what was previewed and nothing a browser made
up. The signature also binds the rows to the user and the municipality."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from competence.forms_needs import CoverageFilterForm, NeedsImportForm
from competence.models import Activity, NeedSurvey
from competence.selectors.needs import needs_coverage, new_themes
from competence.services.needs_import import (
    MAX_BYTES,
    NeedRow,
    need_survey_delete,
    need_survey_import,
    needs_file_parse,
)
from plans import charts
from plans.models import Municipality
from plans.schoolyear import SchoolYear
from plans.views.gate import MemberRequiredMixin, own_municipality

SIGNING_SALT = "competence.needs-import"
SIGNATURE_MAX_AGE = 60 * 60
SHOWN_PROBLEMS = 50

EXAMPLE_CSV = """enhetstype;tema;andel;antall_svar
barnehage;Inkluderende læringsmiljø;62,5;48
barnehage;Psykisk helse;41,7;48
skole;Lærevansker;55,0;112
skole;Atferd;48,2;112
"""


class NeedsCoverageView(MemberRequiredMixin, TemplateView):
    template_name = "competence/needs/coverage.html"

    def load_objects(self):
        user = self.request.user
        self.municipality = own_municipality(user)
        self.require("competence.view_needs", self.municipality)
        self.surveys = NeedSurvey.objects.visible_to(user).order_by("-conducted_on", "name")
        wanted = self.request.GET.get("survey")
        if wanted:
            if not wanted.isdigit():
                raise Http404
            self.survey = get_object_or_404(self.surveys, pk=wanted)
        else:
            self.survey = self.surveys.first()
        if self.survey is not None:
            self.require("competence.view_needs", self.survey)

    def _years(self) -> list[int]:
        assert self.survey is not None
        years = set(
            Activity.objects.visible_to(self.request.user)
            .filter(municipality_id=self.survey.municipality_id)
            .values_list("school_year", flat=True)
            .distinct()
        )
        years.add(self.survey.school_year)
        return sorted(years, reverse=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["survey"] = self.survey
        context["can_import"] = self.municipality is not None and user.has_perm(
            "competence.import_needs", self.municipality
        )
        if self.survey is None:
            return context
        years = self._years()
        # The survey's own year unless another year with activities is asked for.
        school_year = self.survey.school_year
        wanted = self.request.GET.get("school_year", "")
        if wanted.isdigit() and int(wanted) in years:
            school_year = int(wanted)
        context["filter_form"] = CoverageFilterForm(
            initial={
                "survey": self.survey,
                "school_year": "" if school_year == self.survey.school_year else school_year,
            },
            surveys=self.surveys,
            years=years,
        )
        overview = needs_coverage(user, self.survey, school_year)
        context["overview"] = overview
        context["school_year_label"] = SchoolYear(school_year).label
        context["kinds"] = [
            (
                kind,
                charts.bar_chart(
                    title=_("Andel som melder behov: %(kind)s") % {"kind": kind.label},
                    bars=[(row.theme.name, row.share) for row in kind.needs],
                    max_value=100,
                    description=_(
                        "Andel i prosent som melder behov for kompetanse per tema. Tabellen "
                        "under viser de samme tallene og hvilke tiltak som dekker behovet."
                    ),
                    chart_id=f"needs-chart-{kind.unit_kind}",
                ),
            )
            for kind in overview.kinds
        ]
        return context


class NeedsImportView(MemberRequiredMixin, TemplateView):
    template_name = "competence/needs/import.html"
    municipality: Municipality

    def load_objects(self):
        municipality = own_municipality(self.request.user)
        if municipality is None:
            # A superuser without a membership has no municipality to import into.
            raise PermissionDenied
        self.municipality = municipality
        self.require("competence.import_needs", municipality)

    def get_form(self, data=None, files=None) -> NeedsImportForm:
        return NeedsImportForm(data, files, municipality=self.municipality)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        if "payload" in request.POST:
            return self.confirm(request)
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_BYTES + 1)
        parsed = needs_file_parse(content=content)
        if not parsed.is_valid:
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    problems=parsed.problems[:SHOWN_PROBLEMS],
                    problem_count=len(parsed.problems),
                ),
                status=400,
            )
        data = form.cleaned_data
        payload = self.sign(
            name=data["name"],
            conducted_on=data["conducted_on"],
            school_year=data["school_year"],
            rows=parsed.rows,
        )
        fresh = new_themes(municipality=self.municipality, rows=parsed.rows)
        return self.render_to_response(
            self.get_context_data(
                preview=True,
                payload=payload,
                survey_name=data["name"],
                conducted_on=data["conducted_on"],
                school_year_label=SchoolYear(data["school_year"]).label,
                rows=[(row, row.theme.casefold() in fresh) for row in parsed.rows],
                new_theme_count=len(fresh),
            )
        )

    def sign(self, *, name, conducted_on, school_year, rows) -> str:
        return signing.TimestampSigner(salt=SIGNING_SALT).sign_object(
            {
                "user": self.request.user.pk,
                "municipality": self.municipality.pk,
                "name": name,
                "conducted_on": conducted_on.isoformat(),
                "school_year": school_year,
                "rows": [row.as_list() for row in rows],
            },
            compress=True,
        )

    def unsign(self, value: str) -> dict | None:
        try:
            payload = signing.TimestampSigner(salt=SIGNING_SALT).unsign_object(
                value, max_age=SIGNATURE_MAX_AGE
            )
        except signing.BadSignature:  # also SignatureExpired
            return None
        if payload.get("user") != self.request.user.pk or (
            payload.get("municipality") != self.municipality.pk
        ):
            return None
        return payload

    def confirm(self, request):
        payload = self.unsign(request.POST.get("payload", ""))
        if payload is None:
            return self.refuse(
                [
                    _(
                        "Forhåndsvisningen er utløpt eller endret, så ingenting ble lagret. "
                        "Last opp filen på nytt."
                    )
                ]
            )
        try:
            survey = need_survey_import(
                municipality=self.municipality,
                name=payload["name"],
                conducted_on=datetime.date.fromisoformat(payload["conducted_on"]),
                school_year=int(payload["school_year"]),
                rows=[NeedRow.from_list(values) for values in payload["rows"]],
                actor=request.user,
            )
        except ValidationError as error:
            return self.refuse(error.messages)
        messages.success(
            request,
            _("Kartleggingen «%(name)s» er importert med %(count)d behov.")
            % {"name": survey.name, "count": len(payload["rows"])},
        )
        return redirect(f"{reverse('competence:needs')}?survey={survey.pk}")

    def refuse(self, reasons: list[str]):
        """Back to step one with why the confirmed import was not saved."""
        return self.render_to_response(
            self.get_context_data(form=self.get_form(), refused=reasons), status=400
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["example_csv"] = EXAMPLE_CSV
        return context


class NeedSurveyDeleteView(MemberRequiredMixin, TemplateView):
    """Removes a survey imported by mistake, with its needs; themes stay, since activities
    may use them. Those who may import may delete."""

    template_name = "competence/needs/delete.html"

    def load_objects(self):
        self.survey = get_object_or_404(
            NeedSurvey.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("competence.import_needs", self.survey)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["survey"] = self.survey
        context["need_count"] = self.survey.needs.count()
        return context

    def post(self, request, *args, **kwargs):
        name = self.survey.name
        need_survey_delete(survey=self.survey)
        messages.success(request, _("Kartleggingen «%(name)s» er slettet.") % {"name": name})
        return redirect("competence:needs")
