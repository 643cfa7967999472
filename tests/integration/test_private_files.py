"""Under the usual umask (022) the embedded database, the emails (which hold status and
sign-in links) and the notices are still readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.db.engine import make_engine
from adapters.email.file_notifier import FileNotifier
from adapters.email.file_outbox import FileMailer
from service.config import Config
from service.ports.delivery import Email, Notice


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_emails_and_notices_are_private(tmp_path: Path) -> None:
    FileMailer(tmp_path / "outbox").send(
        Email("a@x.org", "b@x.org", "Sign in", "<m1@x>", "https://x/sign-in/secret")
    )
    FileNotifier(tmp_path / "notices" / "n.jsonl").notify(Notice("b@x.org", "t", {}, "r"))
    assert mode(tmp_path / "outbox") == 0o700 and mode(tmp_path / "notices") == 0o700
    assert [mode(p) for p in (tmp_path / "outbox").iterdir()] == [0o600]
    assert mode(tmp_path / "notices" / "n.jsonl") == 0o600


def test_the_embedded_database_and_the_generated_secret_are_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    config = Config.from_env({"ROOMHIRE_DATA_DIR": str(data)})
    engine = make_engine(config.database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert mode(data) == 0o700
    assert mode(data / "roomhire.db") == 0o600 and mode(data / "secret_key") == 0o600
