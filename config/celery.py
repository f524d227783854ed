"""The Celery application. Tasks live in each app's ``tasks.py`` and stay thin adapters:
they take ids, load rows and call a service."""

import os

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from config import local_broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kvalitetsportalen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _local_broker_dir():
    from django.conf import settings

    return settings.LOCAL_BROKER_DIR


@worker_ready.connect
def _register_local_worker(**kwargs) -> None:
    # On the folder broker the portal learns that a worker is running from this file
    # (config/local_broker.py); with Redis it pings the workers instead.
    folder = _local_broker_dir()
    if folder is not None:
        local_broker.worker_register(folder, os.getpid())


@worker_shutdown.connect
def _unregister_local_worker(**kwargs) -> None:
    folder = _local_broker_dir()
    if folder is not None:
        local_broker.worker_unregister(folder, os.getpid())


def local_worker_missing() -> bool:
    """True when tasks go to the folder broker and no worker is running to take them
    (``manage.py runserver`` alone): what is queued waits until one starts."""
    folder = _local_broker_dir()
    return folder is not None and not local_broker.running_workers(folder)
