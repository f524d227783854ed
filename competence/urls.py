from django.urls import path

from competence.views import activities, calendar, needs, reports, training

app_name = "competence"

urlpatterns = [
    # The activity table and its exports (reports.py).
    path("", reports.ActivityTableView.as_view(), name="activity-table"),
    path("export.<str:fmt>", reports.ActivityTableExportView.as_view(), name="activity-export"),
    path("budget/", reports.BudgetView.as_view(), name="budget"),
    path("funding/", reports.FundingSchemeListView.as_view(), name="funding-list"),
    path("funding/new/", reports.FundingSchemeCreateView.as_view(), name="funding-add"),
    path("funding/<id:pk>/edit/", reports.FundingSchemeUpdateView.as_view(), name="funding-edit"),
    path("evaluation/", reports.EvaluationView.as_view(), name="evaluation"),
    path(
        "evaluation/export.<str:fmt>",
        reports.EvaluationExportView.as_view(),
        name="evaluation-export",
    ),
    # Activities, sessions, sign-up and attendance (activities.py).
    path("mine/", activities.MyActivitiesView.as_view(), name="mine"),
    path("attendance/", activities.UnitAttendanceView.as_view(), name="unit-attendance"),
    path("activities/new/", activities.ActivityCreateView.as_view(), name="activity-add"),
    path("activities/<id:pk>/", activities.ActivityDetailView.as_view(), name="activity-detail"),
    path(
        "activities/<id:pk>/edit/",
        activities.ActivityUpdateView.as_view(),
        name="activity-edit",
    ),
    path(
        "activities/<id:pk>/delete/",
        activities.ActivityDeleteView.as_view(),
        name="activity-delete",
    ),
    path(
        "activities/<id:pk>/sessions/new/",
        activities.SessionCreateView.as_view(),
        name="session-add",
    ),
    path("sessions/<id:pk>/edit/", activities.SessionUpdateView.as_view(), name="session-edit"),
    path(
        "sessions/<id:pk>/delete/",
        activities.SessionDeleteView.as_view(),
        name="session-delete",
    ),
    path(
        "sessions/<id:pk>/register/",
        activities.SessionRegisterView.as_view(),
        name="session-register",
    ),
    path(
        "sessions/<id:pk>/attendance/",
        activities.SessionAttendanceView.as_view(),
        name="session-attendance",
    ),
    path(
        "registrations/<id:pk>/cancel/",
        activities.RegistrationCancelView.as_view(),
        name="registration-cancel",
    ),
    path(
        "registrations/<id:pk>/feedback/",
        activities.FeedbackView.as_view(),
        name="registration-feedback",
    ),
    # Needs surveys (needs.py).
    path("needs/", needs.NeedsCoverageView.as_view(), name="needs"),
    path("needs/import/", needs.NeedsImportView.as_view(), name="needs-import"),
    path("needs/<id:pk>/delete/", needs.NeedSurveyDeleteView.as_view(), name="needs-delete"),
    # Mandatory training, the BTI model first (training.py).
    path("bti-opplaering/", training.TrainingStatusView.as_view(), name="bti-training"),
    path(
        "bti-opplaering/export.csv",
        training.TrainingStatusExportView.as_view(),
        name="bti-training-export",
    ),
    path(
        "bti-opplaering/requirements/new/",
        training.TrainingRequirementCreateView.as_view(),
        name="training-requirement-add",
    ),
    path(
        "bti-opplaering/requirements/<id:pk>/edit/",
        training.TrainingRequirementUpdateView.as_view(),
        name="training-requirement-edit",
    ),
    # The annual wheel and calendar feeds (calendar.py).
    path("wheel/", calendar.AnnualWheelView.as_view(), name="wheel"),
    path("events/new/", calendar.EventCreateView.as_view(), name="event-add"),
    path("events/<id:pk>/edit/", calendar.EventUpdateView.as_view(), name="event-edit"),
    path("events/<id:pk>/delete/", calendar.EventDeleteView.as_view(), name="event-delete"),
    path("feeds/", calendar.FeedListView.as_view(), name="feeds"),
    path("feeds/<id:pk>/revoke/", calendar.FeedRevokeView.as_view(), name="feed-revoke"),
    path("ical/<str:token>.ics", calendar.ICalFeedView.as_view(), name="ical"),
]
