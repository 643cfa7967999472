"""The embedded default for notifications: one JSON line per notice in a file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from adapters.private_files import private_file, private_folder
from service.ports.delivery import Notice


class FileNotifier:
    def __init__(self, path: Path) -> None:
        self.path = path

    def notify(self, notice: Notice) -> str:
        private_folder(self.path.parent)
        with open(private_file(self.path, append=True), "a") as log:
            log.write(json.dumps(asdict(notice), sort_keys=True) + "\n")
        return f"written to {self.path}"
