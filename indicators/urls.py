from django.urls import path

from indicators.views import api, imports, mappings
from indicators.views import indicators as pages

app_name = "indicators"

urlpatterns = [
    # Indicator pages (views/indicators.py).
    path("", pages.IndicatorListView.as_view(), name="indicator-list"),
    path("findings/", pages.FindingsView.as_view(), name="findings"),
    path("<id:pk>/", pages.IndicatorDetailView.as_view(), name="indicator-detail"),
    path("<id:pk>/export.<str:fmt>", pages.IndicatorExportView.as_view(), name="indicator-export"),
    path("<id:pk>/edit/", pages.IndicatorUpdateView.as_view(), name="indicator-edit"),
    path("<id:pk>/targets/", pages.TargetsView.as_view(), name="indicator-targets"),
    path("<id:pk>/commentary/", pages.CommentaryView.as_view(), name="indicator-commentary"),
    # Imports (views/imports.py).
    path("imports/", imports.ImportListView.as_view(), name="import-list"),
    path("imports/new/", imports.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<id:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<id:pk>/progress/", imports.ImportProgressView.as_view(), name="import-progress"),
    path("imports/<id:pk>/mapping/", imports.ImportMappingView.as_view(), name="import-mapping"),
    path("imports/<id:pk>/commit/", imports.ImportCommitView.as_view(), name="import-commit"),
    path("imports/<id:pk>/discard/", imports.ImportDiscardView.as_view(), name="import-discard"),
    path("imports/<id:pk>/rollback/", imports.ImportRollbackView.as_view(), name="import-rollback"),
    # The preview's indicator links and the saved mappings (views/mappings.py).
    path(
        "imports/<id:pk>/link/",
        mappings.ImportIndicatorLinkView.as_view(),
        name="import-indicator-link",
    ),
    path("imports/mappings/", mappings.ImportMappingListView.as_view(), name="mapping-list"),
    path(
        "imports/mappings/<id:pk>/edit/",
        mappings.ImportMappingUpdateView.as_view(),
        name="mapping-edit",
    ),
    path(
        "imports/mappings/<id:pk>/delete/",
        mappings.ImportMappingDeleteView.as_view(),
        name="mapping-delete",
    ),
    # The read-only JSON API (views/api.py).
    path("api/", api.ApiDocsView.as_view(), name="api-docs"),
    path("api/v1/indicators/", api.IndicatorListApi.as_view(), name="api-indicators"),
    path("api/v1/indicators/<id:pk>/", api.IndicatorApi.as_view(), name="api-indicator"),
    path(
        "api/v1/indicators/<id:pk>/observations/",
        api.ObservationListApi.as_view(),
        name="api-observations",
    ),
]
