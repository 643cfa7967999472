"""ROOMHIRE_PDF_PROCESSES: how many processes may render an invoice run's PDFs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.config import Config, ConfigError


def test_it_defaults_to_the_cores_this_process_may_use(tmp_path: Path) -> None:
    env = {"ROOMHIRE_DATA_DIR": str(tmp_path)}
    assert Config.from_env(env).pdf_processes == len(os.sched_getaffinity(0))
    assert Config.from_env({**env, "ROOMHIRE_PDF_PROCESSES": "1"}).pdf_processes == 1


@pytest.mark.parametrize("bad", ["0", "33", "two", "", "-2"])
def test_a_wrong_value_is_named(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match=f"ROOMHIRE_PDF_PROCESSES must be .*not '{bad}'"):
        Config.from_env({"ROOMHIRE_DATA_DIR": str(tmp_path), "ROOMHIRE_PDF_PROCESSES": bad})
