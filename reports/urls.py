from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.StatusReportListView.as_view(), name="report-list"),
    path("new/", views.StatusReportOrderView.as_view(), name="report-order"),
    path("branding/", views.ReportBrandingEditView.as_view(), name="branding-edit"),
    path("<id:pk>/", views.StatusReportDetailView.as_view(), name="report-detail"),
    path("<id:pk>/progress/", views.StatusReportProgressView.as_view(), name="report-progress"),
    path("<id:pk>/read/", views.StatusReportReadView.as_view(), name="report-read"),
    path("<id:pk>/pdf/", views.StatusReportPdfView.as_view(), name="report-pdf"),
    path("<id:pk>/publish/", views.StatusReportPublishView.as_view(), name="report-publish"),
    path("<id:pk>/retry/", views.StatusReportRetryView.as_view(), name="report-retry"),
    path(
        "<id:pk>/new-version/",
        views.StatusReportNewVersionView.as_view(),
        name="report-new-version",
    ),
]
