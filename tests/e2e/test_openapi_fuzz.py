"""schemathesis against the live app's OpenAPI: no server errors, nothing that breaks the schema."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from flask import Flask

from service.usecases.demo import load_directory
from tests.e2e.live import gunicorn

EXAMPLES_PER_OPERATION = 25
# Disabling or re-keying accounts could lock the fuzzer's own admin key out halfway (every
# later call a 401); test_accounts covers those two.
LOCKOUTS = r"^/api/v1/users/\{user_id\}/(disable|new-key)$"
CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    )
)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    ctx = app.extensions["roomhire"]
    keys = load_directory(ctx.new_uow(), ctx.clock)  # the directory: fuzzing needs no past
    assert keys is not None
    admin_key = keys["admin@demo.roomhire.invalid"]
    with gunicorn(database_url, tmp_path) as base:
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{base}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {admin_key}",
                "--checks",
                CHECKS,
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                "20261123",
                "--warnings",
                "off",
                "--no-color",
                "--exclude-path-regex",
                LOCKOUTS,
            ],
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
            cwd=tmp_path,
        )
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    assert selected and tested, summary
    assert int(tested.group(1)) == int(selected.group(1)) == int(selected.group(2)) - 2, summary
    assert int(tested.group(1)) >= 20, summary
