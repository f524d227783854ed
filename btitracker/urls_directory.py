"""The directory of services, ``/tjenester/`` (btitracker/views/directory.py)."""

from django.urls import path, re_path

from btitracker.views import directory as views

app_name = "directory"

# A kommunenummer is four digits; a municipality's public pages are under it.
MUNICIPALITY = r"kommune/(?P<number>[0-9]{4})/"

urlpatterns = [
    path("", views.DirectoryStartView.as_view(), name="list"),
    path("ny/", views.ServiceCreateView.as_view(), name="service-create"),
    path("enheter/", views.ServiceUnitsSyncView.as_view(), name="units-sync"),
    path("behov/", views.ServiceNeedListView.as_view(), name="need-list"),
    path("behov/<id:pk>/endre/", views.ServiceNeedUpdateView.as_view(), name="need-edit"),
    path("behov/<id:pk>/slett/", views.ServiceNeedDeleteView.as_view(), name="need-delete"),
    path("<id:pk>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path("<id:pk>/endre/", views.ServiceUpdateView.as_view(), name="service-edit"),
    path("<id:pk>/status/", views.ServiceStatusView.as_view(), name="service-status"),
    re_path(rf"^{MUNICIPALITY}$", views.PublicServiceListView.as_view(), name="public-list"),
    re_path(
        rf"^{MUNICIPALITY}(?P<pk>[0-9]{{1,18}})/$",
        views.PublicServiceDetailView.as_view(),
        name="public-detail",
    ),
]
