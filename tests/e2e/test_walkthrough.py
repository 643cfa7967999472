"""The API walk-through in docs/api.md runs as written (bash and curl) against a fresh server
loaded with the demo, as a new user would run it after `make run`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.live import environment, gunicorn, run

pytestmark = pytest.mark.slow  # gunicorn, bash and curl

WALKTHROUGH = Path(__file__).parents[2] / "docs" / "api.md"


def walkthrough() -> str:
    blocks = re.findall(r"```sh walkthrough\n(.*?)```", WALKTHROUGH.read_text(), re.S)
    assert len(blocks) >= 5, "docs/api.md lost its walk-through"
    return "\n".join(blocks)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_documented_walkthrough_runs_as_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roomhire.db'}"
    assert run(tmp_path, "db", "upgrade").returncode == 0
    demo = run(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    keys = dict(re.findall(r"(\w+)@demo\.roomhire\.invalid\s+(rh_\S+)", demo.stdout))
    with gunicorn(url, tmp_path) as base:
        variables = {
            "API": f"{base}/api/v1",
            "ADMIN": keys["admin"],
            "FAC": keys["facilitator"],
            "FIN": keys["finance"],
        }
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=tmp_path,
            env={**environment(tmp_path), **variables},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr + done.stdout
    booked = json.loads((tmp_path / "booking.json").read_text())
    assert booked["group_label"] == "Monday afternoon group" and len(booked["sessions"]) == 6
    assert (tmp_path / "SMCH0001.pdf").read_bytes().startswith(b"%PDF")
    assert re.search(r'"status":\s*"paid"', done.stdout)  # SMCH0001, paid in the demo
    assert re.search(r'"venue":\s*"Harbourside Kitchen Caf', done.stdout)  # the café's page
