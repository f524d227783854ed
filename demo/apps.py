from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo municipality's loader: the highest layer (it may import every app, and no
    app imports it). No models, no URLs; ``manage.py load_demo`` is all it adds."""

    default = True
    name = "demo"
