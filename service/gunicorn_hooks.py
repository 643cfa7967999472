"""gunicorn settings for `roomhire serve` (`--config python:service.gunicorn_hooks`)."""

from __future__ import annotations

import gc
import re
from typing import Any

from gunicorn.glogging import Logger

from service.config import WORKER_TIMEOUT

# The secret part of a status link, a calendar address and a sign-in link.
SECRET_IN_PATH = re.compile(r"/(status|calendar|sign-in)/(?!provider\b|check-email\b)[^/?\s\"]+")
SECRET_HEADERS = ("{authorization}i", "{cookie}i", "{x-api-key}i")


class RedactingLogger(Logger):  # type: ignore[misc]
    """The access log keeps every request, with secret links cut to `/status/…` and no API
    key or session cookie, whatever the log format asks for: only their hashes are stored,
    so the log must not hold them in clear."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = SECRET_IN_PATH.sub(r"/\1/…", value)
        for key in SECRET_HEADERS:
            if key in atoms:
                atoms[key] = "…"
        return atoms


logger_class = RedactingLogger
# Threads, so a few slow clients (headers sent a byte at a time) hold a thread each, not a
# whole worker: with sync workers two of them made /healthz time out for 20 s. Many slow
# clients still need a buffering reverse proxy in front (see docs/operators.md).
worker_class = "gthread"
threads = 8
# A worker silent this long is restarted. A 100,000-row import takes about 2 s; an import still
# running near this is stopped first (ROOMHIRE_IMPORT_TIME_LIMIT) and answers 503 in JSON.
timeout = WORKER_TIMEOUT
keepalive = 5


def post_worker_init(worker: Any) -> None:
    """Once a worker has loaded the app, its long-lived objects (modules, templates, the
    SQLAlchemy mappings) are left out of the garbage collector's scans: a full collection
    through them paused a request for about 100 ms every few page views."""
    gc.freeze()
