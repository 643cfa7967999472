"""The real app under gunicorn on 127.0.0.1, for tests that need a running server, and the
installed `roomhire` command in a subprocess, as an operator runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Flask
from werkzeug.serving import make_server

from adapters.db.migrate import upgrade
from service.app import create_app
from service.config import Config
from tests.conftest import TEMPLATES
from tests.fakes import FrozenClock

ROOMHIRE = str(Path(sys.executable).parent / "roomhire")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    database_url: str, data_dir: Path, *, workers: int = 2, threads: int = 8
) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ROOMHIRE_DATABASE_URL": database_url,
        "ROOMHIRE_DATA_DIR": str(data_dir),
        "ROOMHIRE_PUBLIC_URL": f"http://127.0.0.1:{port}",  # the links it writes lead to it
    }
    log = (data_dir / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--config",  # as `roomhire serve` runs it: the access log with secrets redacted
            "python:service.gunicorn_hooks",
            "--access-logfile",
            "-",
            "service.app:create_app()",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening, or workers still booting
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "gunicorn.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The embedded default (SQLite in data_dir) unless the test overrides it."""
    inherited = {k: v for k, v in os.environ.items() if k != "ROOMHIRE_DATABASE_URL"}
    return {**inherited, "ROOMHIRE_DATA_DIR": str(data_dir), **overrides}


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run from the data folder, outside the checkout, as an operator might: the invoice
    templates are found beside the code, not in the working directory."""
    return subprocess.run(
        [ROOMHIRE, *args],
        cwd=data_dir,
        env=environment(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextmanager
def served(folder: Path, clock: FrozenClock) -> Iterator[tuple[str, Flask]]:
    """The app on a fresh SQLite database in `folder`, served on 127.0.0.1 in a thread for a
    browser to visit: its address and the app (for the test's own setup)."""
    url = f"sqlite:///{folder / 'roomhire.db'}"
    upgrade(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(Config(url, "test-secret", folder, TEMPLATES, public_url=base), clock=clock)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, app
    finally:
        server.shutdown()
        thread.join()
        app.extensions["roomhire.engine"].dispose()
