from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("<slug:provider>/login/", views.OidcLoginView.as_view(), name="login"),
    path("<slug:provider>/callback/", views.OidcCallbackView.as_view(), name="callback"),
]
