"""An import through the API that runs too long stops before gunicorn's worker timeout would
kill it: a 503 problem in JSON, and nothing changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from service.config import WORKER_TIMEOUT, Config, ConfigError
from service.domain.users import OPERATOR
from service.usecases.reconciliation import import_finance_export
from tests.client import Client
from tests.e2e.exports import export, for_invoice, other_supplier, status
from tests.e2e.live import gunicorn

pytestmark = pytest.mark.slow  # gunicorn

Who = dict[str, Any]


def test_an_import_over_its_time_limit_answers_503_in_json_and_changes_nothing(
    app: Flask,
    client: Client,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trust_finance: Who,
    invoices: list[Who],
) -> None:
    # Our six invoices first (approved: each would change), then 60,000 other suppliers' rows:
    # about a second of reading, far over a limit of a twentieth of a second.
    rows = [for_invoice(i, approval="Approved") for i in invoices]
    data = export(*rows, *(other_supplier(n) for n in range(60_000)))
    before = [status(client, trust_finance, i) for i in invoices]
    monkeypatch.setenv("ROOMHIRE_IMPORT_TIME_LIMIT", "0.05")
    with gunicorn(database_url, tmp_path, workers=1, threads=2) as base, requests.Session() as web:
        answer = web.post(
            f"{base}/api/v1/procurement-imports",
            files={"file": ("ap-report.csv", data, "text/csv")},
            data={"profile": "sbs-oracle-ap"},
            headers=trust_finance["headers"],
            timeout=60,
        )
        assert answer.status_code == 503, answer.text
        assert answer.headers["Content-Type"] == "application/problem+json"
        problem = answer.json()
        assert problem["code"] == "too_slow" and problem["limit_seconds"] == 0.05
        assert "nothing was changed" in problem["detail"]
        listed = web.get(f"{base}/api/v1/procurement-imports", headers=trust_finance["headers"])
        assert listed.json() == []
    assert [status(client, trust_finance, i) for i in invoices] == before

    # Without a limit the same file imports, as new: the refused try left no trace.
    ctx = app.extensions["roomhire"]
    outcome = import_finance_export(ctx, ctx.new_uow(), OPERATOR, data, "ap.csv", "sbs-oracle-ap")
    assert not outcome.already_imported
    assert outcome.record.matched == 6 and outcome.record.changes > 0


def test_the_import_time_limit_leaves_time_before_the_worker_timeout(tmp_path: Path) -> None:
    env = {"ROOMHIRE_DATA_DIR": str(tmp_path), "ROOMHIRE_SECRET_KEY": "x"}
    config = Config.from_env(env)
    assert config.import_time_limit == WORKER_TIMEOUT - 30
    for bad in ("0", "-1", "soon", str(WORKER_TIMEOUT)):
        with pytest.raises(ConfigError, match="ROOMHIRE_IMPORT_TIME_LIMIT"):
            Config.from_env({**env, "ROOMHIRE_IMPORT_TIME_LIMIT": bad})
