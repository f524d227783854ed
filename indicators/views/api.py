"""The open, read-only JSON API: published indicators and their observations.

Public statistics only: no login, GET (and HEAD) only, nothing a municipality adds (targets,
commentary) and nothing unpublished (404, as if it did not exist). Values are strings so
their decimals stay exact. Every response may be cached for five minutes."""

from __future__ import annotations

from typing import Any

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views import View
from django.views.generic import TemplateView

from indicators.exports import exact
from indicators.models import Indicator, Observation
from plans.schoolyear import SchoolYear

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
CACHE_SECONDS = 300


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _cached(response):
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


class JsonApiView(View):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        try:
            payload = self.payload(request, **kwargs)
        except ApiError as error:
            response = JsonResponse(
                {"error": error.message},
                status=error.status,
                json_dumps_params={"ensure_ascii": False},
            )
        except Http404:
            response = JsonResponse({"error": "Finnes ikke."}, status=404)
        else:
            response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
        return _cached(response)

    def payload(self, request, **kwargs) -> dict[str, Any]:
        raise NotImplementedError


def _positive_int(request, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        number = int(raw)
    except ValueError:
        raise ApiError(400, f"«{name}» må være et heltall.") from None
    if number < 1:
        raise ApiError(400, f"«{name}» må være 1 eller mer.")
    return number


def paginate(request, queryset, serialize) -> dict[str, Any]:
    """``?page=`` (from 1) and ``?page_size=`` (1–500, default 100); absolute ``next`` and
    ``previous`` links that keep the other query parameters."""
    page = _positive_int(request, "page", 1)
    size = min(_positive_int(request, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    count = queryset.count()
    pages = max((count + size - 1) // size, 1)
    if page > pages:
        raise ApiError(404, f"Siden finnes ikke: det er {pages} side(r).")
    start = (page - 1) * size
    rows = list(queryset[start : start + size])

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "page": page,
        "page_size": size,
        "pages": pages,
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": [serialize(row) for row in rows],
    }


def indicator_json(request, indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "source": {
            "code": indicator.source.code,
            "name": indicator.source.name,
            "url": indicator.source.url,
        },
        "unit_of_measure": indicator.unit_of_measure,
        "decimals": indicator.decimals,
        "higher_is_better": indicator.higher_is_better,
        "service_field": indicator.service_field,
        "description": indicator.description,
        # The municipality whose own indicator it is; null for the installation's.
        "municipality": {
            "number": indicator.municipality.number,
            "name": indicator.municipality.name,
        }
        if indicator.municipality
        else None,
        "url": request.build_absolute_uri(reverse("indicators:api-indicator", args=[indicator.pk])),
        "observations_url": request.build_absolute_uri(
            reverse("indicators:api-observations", args=[indicator.pk])
        ),
    }


def _published_indicators():
    return Indicator.objects.published().select_related("source", "municipality")


class ApiDocsView(TemplateView):
    """How to use the API; open to everyone, like the API itself."""

    template_name = "indicators/api_docs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        example = _published_indicators().order_by("pk").first()
        context.update(
            base=self.request.build_absolute_uri(reverse("indicators:api-indicators")),
            example=example,
            example_url=self.request.build_absolute_uri(
                reverse("indicators:api-observations", args=[example.pk])
            )
            if example
            else None,
            max_page_size=MAX_PAGE_SIZE,
            default_page_size=DEFAULT_PAGE_SIZE,
            cache_seconds=CACHE_SECONDS,
        )
        return context


class IndicatorListApi(JsonApiView):
    def payload(self, request, **kwargs):
        indicators = _published_indicators().order_by("source__code", "code", "pk")
        source = request.GET.get("source", "").strip()
        if source:
            indicators = indicators.filter(source__code=source)
        query = request.GET.get("q", "").strip()
        if query:
            indicators = indicators.filter(name__icontains=query)
        return paginate(request, indicators, lambda indicator: indicator_json(request, indicator))


class IndicatorApi(JsonApiView):
    def payload(self, request, pk, **kwargs):
        return indicator_json(request, get_object_or_404(_published_indicators(), pk=pk))


def _period_label(text: str) -> str:
    """«2023-24», «2023–24» and «2023/2024» name the school year stored as «2023/24»; the
    API asked for «2023-24» before the labels were made one, and still may."""
    try:
        return SchoolYear.parse(text).label
    except ValueError:
        return text


class ObservationListApi(JsonApiView):
    FILTERS = {
        "place": "place__code",
        "level": "place__level",
        "period": "period_label",
        "subgroup": "subgroup",
    }

    def payload(self, request, pk, **kwargs):
        indicator = get_object_or_404(_published_indicators(), pk=pk)
        observations = (
            Observation.objects.published()
            .filter(indicator=indicator)
            .select_related("place")
            .order_by("place__level", "place__code", "period_start", "subgroup", "pk")
        )
        for name, lookup in self.FILTERS.items():
            if name in request.GET:
                value = request.GET[name].strip()
                if name == "period":
                    value = _period_label(value)
                observations = observations.filter(**{lookup: value})
        decimals = indicator.decimals

        def serialize(observation: Observation) -> dict[str, Any]:
            place = observation.place
            return {
                "place": {"code": place.code, "name": place.name, "level": place.level},
                "period": observation.period_label,
                "period_start": observation.period_start.isoformat(),
                "period_end": observation.period_end.isoformat(),
                "subgroup": observation.subgroup,
                "value": exact(observation.value, decimals),
                "status": observation.status,
                "symbol": observation.symbol,
            }

        result = paginate(request, observations, serialize)
        result["indicator"] = {"id": indicator.pk, "code": indicator.code, "name": indicator.name}
        return result
