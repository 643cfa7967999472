"""The embedded default access point: each e-invoice is written as <message id>.xml into a
folder, for a person or another program to pass on. Idempotent for the same message id."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from adapters.private_files import private_file, private_folder
from service.ports.delivery import PermanentDeliveryError


class FolderAccessPoint:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, *, document: bytes, sender: str, receiver: str, message_id: str) -> str:
        name = re.sub(r"[^A-Za-z0-9.]+", "_", message_id.strip("<>")) + ".xml"
        path = private_folder(self.folder) / name
        if path.exists():  # sent before (a retry after the result went unrecorded)
            if path.read_bytes() != document:
                raise PermanentDeliveryError(f"{path} already holds another document")
            return f"already written to {path}"
        temporary = path.with_suffix(".tmp")
        with open(private_file(temporary), "wb") as out:
            out.write(document)
        temporary.replace(path)  # a reader never sees half a document
        digest = hashlib.sha256(document).hexdigest()
        return f"written to {path} (from {sender} to {receiver}, SHA-256 {digest})"
