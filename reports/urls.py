from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.StatusReportListView.as_view(), name="report-list"),
    path("new/", views.StatusReportOrderView.as_view(), name="report-order"),
    path("<int:pk>/", views.StatusReportDetailView.as_view(), name="report-detail"),
    path("<int:pk>/progress/", views.StatusReportProgressView.as_view(), name="report-progress"),
    path("<int:pk>/read/", views.StatusReportReadView.as_view(), name="report-read"),
    path("<int:pk>/pdf/", views.StatusReportPdfView.as_view(), name="report-pdf"),
    path("<int:pk>/publish/", views.StatusReportPublishView.as_view(), name="report-publish"),
    path("<int:pk>/retry/", views.StatusReportRetryView.as_view(), name="report-retry"),
    path(
        "<int:pk>/new-version/",
        views.StatusReportNewVersionView.as_view(),
        name="report-new-version",
    ),
]
