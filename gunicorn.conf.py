"""Gunicorn's settings for Baikoo's web nodes (docs/operations.md): the Dockerfile,
docker-compose and the benchmarks start gunicorn with ``--config gunicorn.conf.py``, so
what is measured is what production runs. Options given on the command line win."""

import gc

bind = "0.0.0.0:8000"
workers = 3  # sync workers
timeout = 60


def post_worker_init(worker: object) -> None:
    """Once a worker has loaded the application, its modules, settings and URL patterns
    live as long as the worker: ``gc.freeze()`` moves them out of the garbage
    collector's sight, so each collection during a request walks only what requests
    made (docs/benchmarks.md, filing)."""
    gc.collect()
    gc.freeze()
