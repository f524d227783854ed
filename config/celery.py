"""The Celery application. Tasks live in each app's ``tasks.py`` and stay thin adapters:
they take ids, load rows and call a service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kvalitetsportalen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
