from django.urls import path

from btitracker import views

app_name = "bti"

urlpatterns = [
    path("", views.BtiHomeView.as_view(), name="home"),
    path("sok/", views.CaseSearchView.as_view(), name="search"),
    path("statistikk/", views.StatisticsView.as_view(), name="statistics"),
    path("melde/", views.ReportGuidanceView.as_view(), name="report-guidance"),
    path("totrinn/oppsett/", views.OtpEnrolView.as_view(), name="otp-enrol"),
    path("totrinn/", views.OtpVerifyView.as_view(), name="otp-verify"),
    path("undring/ny/", views.ConcernCreateView.as_view(), name="concern-create"),
    path("undring/<int:pk>/", views.ConcernDetailView.as_view(), name="concern-detail"),
    path("undring/<int:pk>/beslutning/", views.ConcernDecideView.as_view(), name="concern-decide"),
    path("logg/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("logg/<int:pk>/niva/", views.CaseLevelView.as_view(), name="case-level"),
    path("logg/<int:pk>/foresatt/", views.GuardianAddView.as_view(), name="case-guardian-add"),
    path("logg/<int:pk>/team/", views.TeamMemberAddView.as_view(), name="case-team-add"),
    path(
        "logg/<int:pk>/team/<int:member_pk>/fjern/",
        views.TeamMemberRemoveView.as_view(),
        name="case-team-remove",
    ),
    path("logg/<int:pk>/samtykke/", views.ConsentAddView.as_view(), name="case-consent-add"),
    path(
        "logg/<int:pk>/samtykke/<int:consent_pk>/trekk/",
        views.ConsentWithdrawView.as_view(),
        name="case-consent-withdraw",
    ),
    path("logg/<int:pk>/vold/", views.ViolenceFlagView.as_view(), name="case-violence"),
    path("logg/<int:pk>/mal/", views.GoalAddView.as_view(), name="case-goal-add"),
    path("logg/<int:pk>/notat/", views.EntryAddView.as_view(), name="case-entry-add"),
    path("logg/<int:pk>/tiltak/", views.ActionAddView.as_view(), name="case-action-add"),
    path(
        "logg/<int:pk>/tiltak/<int:action_pk>/evaluer/",
        views.ActionEvaluateView.as_view(),
        name="case-action-evaluate",
    ),
    path("logg/<int:pk>/mote/", views.MeetingAddView.as_view(), name="case-meeting-add"),
    path("logg/<int:pk>/stafett/", views.HandoverProposeView.as_view(), name="case-handover"),
    path("logg/<int:pk>/avslutt/", views.CaseCloseView.as_view(), name="case-close"),
    path("logg/<int:pk>/pdf/", views.CaseExportView.as_view(), name="case-export"),
    path("logg/<int:pk>/innsyn/", views.AccessHistoryView.as_view(), name="case-access-log"),
    path(
        "logg/<int:pk>/innsyn/pdf/",
        views.AccessHistoryPdfView.as_view(),
        name="case-access-pdf",
    ),
    path("stafett/<int:pk>/", views.HandoverAcceptView.as_view(), name="handover-accept"),
]
