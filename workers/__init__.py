"""Celery workers for teleframe. `celery -A workers.app worker` starts one."""
