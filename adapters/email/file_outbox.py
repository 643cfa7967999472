"""The embedded default: each email is written as an .eml file into a folder."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.email.mime import mime
from adapters.private_files import private_file, private_folder
from service.ports.delivery import Email


class FileMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, email: Email) -> str:
        name = re.sub(r"[^A-Za-z0-9.]+", "_", email.message_id.strip("<>")) + ".eml"
        path = private_folder(self.folder) / name
        temporary = path.with_suffix(".tmp")
        with open(private_file(temporary), "wb") as out:  # status and sign-in links inside
            out.write(mime(email).as_bytes())
        temporary.replace(path)  # a reader never sees half a message
        return f"written to {path}"
