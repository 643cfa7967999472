"""gunicorn settings for `roomhire serve` (`--config python:service.gunicorn_hooks`)."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Once a worker has loaded the app, its long-lived objects (modules, templates, the
    SQLAlchemy mappings) are left out of the garbage collector's scans: a full collection
    through them paused a request for about 100 ms every few page views."""
    gc.freeze()
