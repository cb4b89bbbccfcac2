"""The Celery application: workers and the one beat process load tasks from every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdop.settings")

app = Celery("cdop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
