"""Tellinger: the indicator list, an indicator's page with its chart, the findings, the
export, and the sector leader's targets and commentary.

Observations are public statistics every member reads; targets and commentary are the
municipality's own, so every read of them is narrowed to the user's municipality."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from indicators import exports
from indicators.charts import indicator_chart
from indicators.findings import findings_overview, read_indicator
from indicators.forms_indicators import (
    GROUP_BY_SOURCE,
    CommentaryForm,
    IndicatorForm,
    IndicatorSearchForm,
    TargetFormSet,
)
from indicators.models import (
    COMPARISON_LEVELS,
    Commentary,
    Indicator,
    Observation,
    Place,
    Source,
    Target,
    TargetChange,
)
from indicators.selectors.figures import (
    COUNTRY,
    MUNICIPALITY,
    GroupPoint,
    MainSeries,
    Point,
    kostra_at_latest,
    main_series,
    municipality_places,
    plan_in_force,
    series,
    subgroup_label,
    targets_for,
    year_label,
)
from indicators.services.indicators import (
    indicator_commentary_delete,
    indicator_commentary_save,
    indicator_targets_save,
    indicator_update,
)
from indicators.targets import TargetBook, adoption_text, describe, target_book
from plans.charts import format_value
from plans.models import DevelopmentArea, Unit
from plans.views.gate import MemberRequiredMixin, own_municipality


def point_text(point: Point | None, decimals: int) -> str:
    """A table cell: the value with a decimal comma, or what the source says instead."""
    if point is None:
        return "–"
    if point.has_value:
        return format_value(point.value, decimals)
    symbol = f" ({point.symbol})" if point.symbol else ""
    return f"{point.status_label.lower()}{symbol}"


class IndicatorMixin(MemberRequiredMixin):
    """The indicator from the URL, in the user's scope (404 outside it)."""

    def load_indicator(self) -> Indicator:
        self.indicator = get_object_or_404(
            Indicator.objects.visible_to(self.request.user).select_related("source"),
            pk=self.kwargs["pk"],
        )
        self.require("indicators.view_indicator", self.indicator)
        return self.indicator

    def load_municipality(self, required: bool = False):
        self.municipality = own_municipality(self.request.user)
        if required and self.municipality is None:
            # A superuser without a membership has no municipality to set targets for.
            raise PermissionDenied
        return self.municipality


# --- The list -----------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    main: MainSeries | None
    latest_text: str
    country_text: str
    # The KOSTRA group's figure for the same period, when one was imported.
    kostra: GroupPoint | None = None
    kostra_text: str = "–"

    @property
    def latest(self) -> Point | None:
        return self.main.latest if self.main else None


@dataclass
class IndicatorGroup:
    title: str
    rows: list[IndicatorRow]
    anchor: str


class IndicatorListView(MemberRequiredMixin, TemplateView):
    template_name = "indicators/indicator_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipality = own_municipality(user)
        # Sources of the indicators the user reads (another municipality's import may
        # have brought a source of its own).
        sources = (
            Source.objects.visible_to(user)
            .filter(indicators__in=Indicator.objects.visible_to(user))
            .distinct()
            .order_by("name")
        )
        form = IndicatorSearchForm(self.request.GET or None, sources=sources)
        plan = plan_in_force(municipality)
        plan_areas = list(DevelopmentArea.objects.filter(plan=plan)) if plan else []
        keys = [area.key for area in plan_areas]
        indicators = (
            Indicator.objects.visible_to(user)
            .select_related("source")
            .prefetch_related(
                Prefetch(
                    "areas",
                    queryset=DevelopmentArea.objects.filter(key__in=keys).only("pk", "key"),
                    to_attr="plan_area_links",
                )
            )
            .order_by("name", "pk")
        )
        group_by = "omrade"
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                indicators = indicators.filter(name__icontains=data["q"].strip())
            if data["source"]:
                indicators = indicators.filter(source=data["source"])
            group_by = data["group"] or group_by
        indicators = list(indicators)
        places = municipality_places(municipality)
        mains = main_series([i.pk for i in indicators], municipality, places)
        groups_at = kostra_at_latest(mains, self.request.GET.get("kostra"))
        rows = [
            self.row(indicator, mains.get(indicator.pk), groups_at.get(indicator.pk))
            for indicator in indicators
        ]
        if group_by == GROUP_BY_SOURCE:
            groups = self.by_source(rows)
        else:
            groups = self.by_area(rows, plan_areas)
        context.update(
            form=form,
            groups=groups,
            group_by=group_by,
            count=len(rows),
            municipality=municipality,
            plan=plan,
        )
        return context

    @staticmethod
    def row(
        indicator: Indicator, main: MainSeries | None, kostra: GroupPoint | None = None
    ) -> IndicatorRow:
        latest = main.latest if main else None
        country = main.country_at_latest if main else None
        return IndicatorRow(
            indicator=indicator,
            main=main,
            latest_text=point_text(latest, indicator.decimals) if latest else "–",
            country_text=point_text(country, indicator.decimals) if country else "–",
            kostra=kostra,
            kostra_text=point_text(kostra.point, indicator.decimals) if kostra else "–",
        )

    @staticmethod
    def by_source(rows: list[IndicatorRow]) -> list[IndicatorGroup]:
        groups: dict[int, IndicatorGroup] = {}
        for row in rows:
            source = row.indicator.source
            if source.pk not in groups:
                groups[source.pk] = IndicatorGroup(source.name, [], f"kilde-{source.code}")
            groups[source.pk].rows.append(row)
        return sorted(groups.values(), key=lambda group: group.title.lower())

    @staticmethod
    def by_area(rows: list[IndicatorRow], areas: list[DevelopmentArea]) -> list[IndicatorGroup]:
        groups = [IndicatorGroup(area.name, [], f"omrade-{area.pk}") for area in areas]
        index = {area.key: position for position, area in enumerate(areas)}
        loose = IndicatorGroup(_("Ikke knyttet til et utviklingsområde"), [], "uten-omrade")
        for row in rows:
            positions = sorted({index[a.key] for a in row.indicator.plan_area_links})
            for position in positions:
                groups[position].rows.append(row)
            if not positions:
                loose.rows.append(row)
        return [group for group in [*groups, loose] if group.rows]


# --- One indicator ------------------------------------------------------------------------


class IndicatorDetailView(IndicatorMixin, TemplateView):
    template_name = "indicators/indicator_detail.html"

    def load_objects(self):
        self.load_indicator()
        self.load_municipality()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        indicator, municipality = self.indicator, self.municipality
        places = municipality_places(municipality)
        data = series(
            indicator, municipality, kostra_code=self.request.GET.get("kostra"), places=places
        )
        subgroup = self.request.GET.get("subgroup")
        if subgroup not in data.subgroups:
            subgroup = data.main_subgroup or ""
        targets = targets_for(indicator, municipality)
        # Every target read through the one resolver: the chart, the reading and the table.
        book = target_book(targets, municipality, places=places)
        whole = book.values(indicator.pk, subgroup)
        chart = indicator_chart(data, subgroup, whole, chart_id="indicator-chart")
        decimals = indicator.decimals
        country_line = data.line(COUNTRY)
        own = data.points(MUNICIPALITY, subgroup)
        country = data.points(COUNTRY, subgroup)
        # The latest figure is the latest with a value, as in the list and the report.
        latest = data.latest(subgroup)
        country_latest = data.at_latest(subgroup, COUNTRY)
        reading = None
        if municipality is not None and own:
            reading = read_indicator(
                indicator,
                own,
                country,
                whole[-1] if whole else None,
                place_name=municipality.name,
                subgroup=subgroup,
            )
        table_rows = [
            (label, [point_text(point, decimals) for point in points])
            for label, points in chart.cells
        ]
        if chart.target_label:
            _label, values = chart.table.rows[-1]
            table_rows.append(
                (
                    chart.target_label,
                    [format_value(v, decimals) if v is not None else "–" for v in values],
                )
            )
        unit_labels = []
        unit_rows = []
        if data.units:
            unit_periods = []
            for unit_line in data.units:
                for point in unit_line.for_subgroup(subgroup):
                    if point.period_label not in unit_labels:
                        unit_labels.append(point.period_label)
                        unit_periods.append((point.period_start, point.period_label))
            unit_labels = [label for _start, label in sorted(unit_periods)]
            for unit_line in data.units:
                points = {p.period_label: p for p in unit_line.for_subgroup(subgroup)}
                if points:
                    unit_rows.append(
                        (
                            unit_line.unit.name,
                            [point_text(points.get(label), decimals) for label in unit_labels],
                        )
                    )
        plan = plan_in_force(municipality)
        commentary = None
        if municipality is not None:
            commentary = (
                Commentary.objects.visible_to(user)
                .filter(indicator=indicator, municipality=municipality)
                .select_related("written_by")
                .first()
            )
        context.update(
            indicator=indicator,
            municipality=municipality,
            data=data,
            subgroup=subgroup,
            subgroup_name=subgroup_label(subgroup),
            subgroup_choices=[(name, subgroup_label(name)) for name in data.subgroups],
            chart=chart,
            columns=chart.table.columns,
            table_rows=table_rows,
            unit_labels=unit_labels,
            unit_rows=unit_rows,
            latest=latest,
            latest_text=point_text(latest, decimals) if latest else None,
            country_latest=country_latest,
            country_text=point_text(country_latest, decimals) if country_latest else None,
            country_name=country_line.label if country_line else "",
            reading=reading,
            targets=targets,
            target_rows=[
                _target_row(t, book, data.periods(t.subgroup) or data.periods(subgroup))
                for t in targets
            ],
            commentary=commentary,
            plan_areas=DevelopmentArea.objects.filter(
                plan=plan, key__in=indicator.areas.values("key")
            )
            if plan
            else [],
            can_edit=user.has_perm("indicators.change_indicator", indicator)
            or (plan is not None and user.has_perm("indicators.link_indicator", indicator)),
            can_manage_targets=municipality is not None
            and user.has_perm("indicators.manage_targets", municipality),
            can_comment=municipality is not None
            and user.has_perm("indicators.comment_indicator", municipality),
        )
        return context


@dataclass
class TargetRow:
    """One target on the indicator page: what it is, its adoption, and its value for each
    year it names (or why that value cannot be computed)."""

    target: Target
    year: str
    subgroup: str
    kind: str
    adoption: str
    values: list[tuple[str, str, bool]]  # (year, value or «kan ikke beregnes: …», milestone)


def _target_row(target: Target, book: TargetBook, periods) -> TargetRow:
    decimals = target.indicator.decimals
    return TargetRow(
        target=target,
        year=year_label(target.year, periods),
        subgroup=subgroup_label(target.subgroup),
        kind=describe(target, periods),
        adoption=adoption_text(target),
        values=[
            (
                year_label(value.year, periods),
                format_value(value.value, decimals)
                if value.value is not None
                else value.unresolved_text,
                value.milestone,
            )
            for value in book.for_target(target)
        ],
    )


class IndicatorExportView(IndicatorMixin, View):
    def load_objects(self):
        if self.kwargs["fmt"] not in exports.FORMATS:
            raise Http404
        self.load_indicator()

    def get(self, request, *args, **kwargs):
        return exports.export_response(self.indicator, self.kwargs["fmt"])


# --- Changing an indicator, its targets and commentary ------------------------------------


class IndicatorUpdateView(IndicatorMixin, TemplateView):
    template_name = "indicators/indicator_form.html"

    def load_objects(self):
        self.load_indicator()
        self.load_municipality()
        self.plan = plan_in_force(self.municipality)
        user = self.request.user
        # The settings are the owner's; the links to the plan are the municipality's.
        self.settings = user.has_perm("indicators.change_indicator", self.indicator)
        if not self.settings:
            if self.plan is None:
                raise PermissionDenied
            self.require("indicators.link_indicator", self.indicator)

    def get_form(self, data=None):
        return IndicatorForm(data, instance=self.indicator, plan=self.plan, settings=self.settings)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                indicator_update(
                    indicator=self.indicator,
                    data=form.cleaned_data,
                    municipality=self.municipality,
                    plan=self.plan,
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Indikatoren er lagret."))
                return redirect("indicators:indicator-detail", pk=self.indicator.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(indicator=self.indicator, plan=self.plan, settings=self.settings)
        return context


class TargetsView(IndicatorMixin, TemplateView):
    template_name = "indicators/targets_form.html"

    def load_objects(self):
        self.load_indicator()
        self.load_municipality(required=True)
        self.require("indicators.manage_targets", self.municipality)

    def get_formset(self, data=None):
        targets = targets_for(self.indicator, self.municipality)
        subgroups = set(
            Observation.objects.filter(indicator=self.indicator)
            .values_list("subgroup", flat=True)
            .distinct()
            .order_by()
        ) | {target.subgroup for target in targets}
        units = (
            Unit.objects.visible_to(self.request.user)
            .filter(municipality=self.municipality)
            .active()
            .order_by("name")
        )
        decimals = self.indicator.decimals

        def exact(value):
            return None if value is None else Decimal(exports.exact(value, decimals))

        initial = [
            {
                "year": t.year,
                "kind": t.kind,
                "value": exact(t.value),
                "baseline_year": t.baseline_year,
                "change": exact(t.change),
                "comparison_place": t.comparison_place,
                "margin": exact(t.margin),
                "milestones": "\n".join(
                    # Exact, never rounded to the indicator's decimals: saved again unchanged.
                    f"{m.year}: {exports.exact(m.amount, decimals).replace('.', ',')}"
                    for m in t.milestones.all()
                ),
                "unit": t.unit,
                "subgroup": t.subgroup,
                "adoption": t.adoption,
                "council_case": t.council_case,
                "adopted_on": t.adopted_on,
            }
            for t in targets
        ]
        # Shared figures only (the country, counties, KOSTRA groups) that the indicator has:
        # a forged id of any other place is not a choice.
        places = Place.objects.filter(
            level__in=COMPARISON_LEVELS,
            pk__in=Observation.objects.filter(indicator=self.indicator).values("place_id"),
        ).order_by("level", "code")
        return TargetFormSet(
            data,
            initial=initial,
            prefix="targets",
            form_kwargs={"units": units, "subgroups": sorted(subgroups), "places": places},
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(formset=self.get_formset()))

    def post(self, request, *args, **kwargs):
        formset = self.get_formset(request.POST)
        error = None
        if formset.is_valid():
            try:
                indicator_targets_save(
                    indicator=self.indicator,
                    municipality=self.municipality,
                    rows=formset.rows(),
                    actor=request.user,
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(request, _("Målverdiene er lagret."))
                return redirect("indicators:indicator-detail", pk=self.indicator.pk)
        return self.render_to_response(self.get_context_data(formset=formset, error=error))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            indicator=self.indicator,
            municipality=self.municipality,
            changes=TargetChange.objects.filter(
                indicator=self.indicator, municipality=self.municipality
            ).select_related("actor")[:50],
        )
        return context


class CommentaryView(IndicatorMixin, TemplateView):
    template_name = "indicators/commentary_form.html"

    def load_objects(self):
        self.load_indicator()
        self.load_municipality(required=True)
        self.require("indicators.comment_indicator", self.municipality)
        self.commentary = (
            Commentary.objects.visible_to(self.request.user)
            .filter(indicator=self.indicator, municipality=self.municipality)
            .first()
        )

    def get(self, request, *args, **kwargs):
        initial = {"text": self.commentary.text} if self.commentary else None
        return self.render_to_response(self.get_context_data(form=CommentaryForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        if "delete" in request.POST:
            indicator_commentary_delete(
                indicator=self.indicator, municipality=self.municipality, actor=request.user
            )
            messages.success(request, _("Kommentaren er slettet."))
            return redirect("indicators:indicator-detail", pk=self.indicator.pk)
        form = CommentaryForm(request.POST)
        if form.is_valid():
            try:
                indicator_commentary_save(
                    indicator=self.indicator,
                    municipality=self.municipality,
                    text=form.cleaned_data["text"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error("text", error)
            else:
                messages.success(request, _("Kommentaren er lagret."))
                return redirect("indicators:indicator-detail", pk=self.indicator.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(indicator=self.indicator, commentary=self.commentary)
        return context


# --- Findings -----------------------------------------------------------------------------


class FindingsView(MemberRequiredMixin, TemplateView):
    template_name = "indicators/findings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overview"] = findings_overview(self.request.user)
        return context
