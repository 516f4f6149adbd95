"""Worker entrypoint for the floor's no-op task (builds its Celery app at import, like workers.app)."""

from bench.floor_app import make_celery

app = make_celery()
