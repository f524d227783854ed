from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default = True
    name = "reports"
    verbose_name = _("Tilstandsrapporter")

    def ready(self) -> None:
        from reports import permissions  # noqa: F401
