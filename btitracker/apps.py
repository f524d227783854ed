from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BtitrackerConfig(AppConfig):
    name = "btitracker"
    verbose_name = _("BTI – stafettlogg")
