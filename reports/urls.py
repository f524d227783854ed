from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.StatusReportListView.as_view(), name="report-list"),
    path("new/", views.StatusReportOrderView.as_view(), name="report-order"),
    path("law-topics/", views.LawTopicsEditView.as_view(), name="law-topics"),
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
    # The council's treatment.
    path("<id:pk>/treatment/", views.TreatmentEditView.as_view(), name="treatment-edit"),
    path(
        "<id:pk>/follow-up/new/",
        views.FollowUpItemCreateView.as_view(),
        name="follow-up-create",
    ),
    path("<id:pk>/questions/new/", views.QuestionCreateView.as_view(), name="question-create"),
    path("follow-up/", views.FollowUpOverviewView.as_view(), name="follow-up-overview"),
    path("follow-up/<id:pk>/edit/", views.FollowUpItemEditView.as_view(), name="follow-up-edit"),
    path(
        "follow-up/<id:pk>/status/",
        views.FollowUpItemStatusView.as_view(),
        name="follow-up-status",
    ),
    path("questions/<id:pk>/answer/", views.QuestionAnswerView.as_view(), name="question-answer"),
]

urlpatterns += [
    path("assessment/start/", views.AssessmentStartView.as_view(), name="assessment-start"),
    path("year/<id:pk>/assessment/", views.AssessmentYearView.as_view(), name="assessment-year"),
    path("assessment/<id:pk>/", views.AssessmentEditView.as_view(), name="assessment-edit"),
    path(
        "assessment/<id:pk>/history/",
        views.AssessmentHistoryView.as_view(),
        name="assessment-history",
    ),
    path(
        "assessment/<id:pk>/submit/", views.AssessmentSubmitView.as_view(), name="assessment-submit"
    ),
    path(
        "assessment/<id:pk>/approve/",
        views.AssessmentApproveView.as_view(),
        name="assessment-approve",
    ),
    path(
        "assessment/<id:pk>/return/", views.AssessmentReturnView.as_view(), name="assessment-return"
    ),
    path(
        "assessment/<id:pk>/invite/", views.AssessmentInviteView.as_view(), name="assessment-invite"
    ),
]
