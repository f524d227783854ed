from django.urls import path

from indicators.views import api, imports, mappings
from indicators.views import indicators as pages

app_name = "indicators"

urlpatterns = [
    # Indicator pages (views/indicators.py).
    path("", pages.IndicatorListView.as_view(), name="indicator-list"),
    path("findings/", pages.FindingsView.as_view(), name="findings"),
    path("<int:pk>/", pages.IndicatorDetailView.as_view(), name="indicator-detail"),
    path("<int:pk>/export.<str:fmt>", pages.IndicatorExportView.as_view(), name="indicator-export"),
    path("<int:pk>/edit/", pages.IndicatorUpdateView.as_view(), name="indicator-edit"),
    path("<int:pk>/targets/", pages.TargetsView.as_view(), name="indicator-targets"),
    path("<int:pk>/commentary/", pages.CommentaryView.as_view(), name="indicator-commentary"),
    # Imports (views/imports.py).
    path("imports/", imports.ImportListView.as_view(), name="import-list"),
    path("imports/new/", imports.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path(
        "imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import-progress"
    ),
    path("imports/<int:pk>/mapping/", imports.ImportMappingView.as_view(), name="import-mapping"),
    path("imports/<int:pk>/commit/", imports.ImportCommitView.as_view(), name="import-commit"),
    path("imports/<int:pk>/discard/", imports.ImportDiscardView.as_view(), name="import-discard"),
    path(
        "imports/<int:pk>/rollback/", imports.ImportRollbackView.as_view(), name="import-rollback"
    ),
    # The preview's indicator links and the saved mappings (views/mappings.py).
    path(
        "imports/<int:pk>/link/",
        mappings.ImportIndicatorLinkView.as_view(),
        name="import-indicator-link",
    ),
    path("imports/mappings/", mappings.ImportMappingListView.as_view(), name="mapping-list"),
    path(
        "imports/mappings/<int:pk>/edit/",
        mappings.ImportMappingUpdateView.as_view(),
        name="mapping-edit",
    ),
    path(
        "imports/mappings/<int:pk>/delete/",
        mappings.ImportMappingDeleteView.as_view(),
        name="mapping-delete",
    ),
    # The read-only JSON API (views/api.py).
    path("api/", api.ApiDocsView.as_view(), name="api-docs"),
    path("api/v1/indicators/", api.IndicatorListApi.as_view(), name="api-indicators"),
    path("api/v1/indicators/<int:pk>/", api.IndicatorApi.as_view(), name="api-indicator"),
    path(
        "api/v1/indicators/<int:pk>/observations/",
        api.ObservationListApi.as_view(),
        name="api-observations",
    ),
]
