"""Load on real HTTP: gunicorn serving Roomhire on 127.0.0.1, driven by wrk (`apt-get install
wrk`)."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import requests

from benchmarks.bookable import free_port
from benchmarks.figures import Figure, Missing, at_most, table
from service.config import Config


def require_wrk() -> None:
    if not shutil.which("wrk"):
        raise Missing("wrk is not installed: apt-get install wrk")


@contextmanager
def gunicorn(config: Config, folder: Path) -> Iterator[str]:
    """gunicorn with 2 workers on a free port of 127.0.0.1; its base URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "ROOMHIRE_DATABASE_URL": config.database_url,
        "ROOMHIRE_DATA_DIR": str(folder),
    }
    options = ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"]
    options += ["--config", "python:service.gunicorn_hooks"]  # as `roomhire serve` runs it
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *options, "service.app:create_app()"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


class Load(NamedTuple):
    requests: int
    per_second: float
    median_ms: float
    p99_ms: float


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> Load:
    """wrk's figures; with a long timeout, as wrk leaves timed-out requests out of them."""
    load = ["-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", *load, *headers, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Non-2xx or 3xx responses" not in out and "Socket errors" not in out, out

    def figure(pattern: str) -> re.Match[str]:
        found = re.search(pattern, out)
        assert found, out
        return found

    def latency(percentile: int) -> float:
        value, unit = figure(rf"\b{percentile}%\s+([\d.]+)(us|ms|s)\b").groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return Load(
        int(figure(r"(\d+) requests in").group(1)),
        float(figure(r"Requests/sec:\s+([\d.]+)").group(1)),
        latency(50),
        latency(99),
    )


def alternated(
    urls: tuple[str, str], seconds: int, connections: int, rounds: int = 5
) -> tuple[Load, Load, list[float]]:
    """The two URLs loaded in turn, `rounds` windows each of `seconds / rounds`: each URL's
    figures over its windows (requests/s over all; median and p99 the median of the windows'),
    and the second's requests/s as a share of the first's, window by window. A share of
    two runs ten seconds apart is noise on a machine whose speed swings (a shared VM)."""
    window = max(1, seconds // rounds)
    runs = [[wrk(url, window, connections) for url in urls] for _ in range(rounds)]

    def over(loads: list[Load]) -> Load:
        requests = sum(load.requests for load in loads)
        return Load(
            requests,
            requests / (window * rounds),
            statistics.median(load.median_ms for load in loads),
            statistics.median(load.p99_ms for load in loads),
        )

    first, second = zip(*runs, strict=True)
    shares = [b.per_second / a.per_second for a, b in runs]
    return over(list(first)), over(list(second)), shares


def summary(path: str, load: Load) -> str:
    return (
        f"{path:16} {load.per_second:8.1f} requests/s, median {load.median_ms:7.1f} ms, "
        f"p99 {load.p99_ms:7.1f} ms ({load.requests:,} requests)"
    )


def figures(benchmark: str, path: str, load: Load, p99_limit: float | None = None) -> list[Figure]:
    """Requests/s, median and p99 of `path`; the p99 against `p99_limit` ms if there is one."""
    p99 = f"{path} p99 latency"
    return [
        Figure(benchmark, f"{path} throughput", f"{load.per_second:.0f} requests/s"),
        Figure(benchmark, f"{path} median latency", f"{load.median_ms:.1f} ms"),
        Figure(benchmark, p99, f"{load.p99_ms:.1f} ms")
        if p99_limit is None
        else at_most(benchmark, p99, load.p99_ms, p99_limit, " ms"),
    ]


def main(measure: Callable[[int, int], list[Figure]], connections: int = 4) -> None:
    """A load benchmark run on its own: `python -m benchmarks.NAME [SECONDS] [CONNECTIONS]`
    (`connections`: the benchmark's own default)."""
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else connections
    print(table(measure(seconds, connections)))
