"""Celery app and thin tasks for miner (see workers.app and workers.tasks)."""
