"""The embedded default access point writes each e-invoice once, whole, into a folder."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from adapters.einvoice.folder_access_point import FolderAccessPoint
from service.ports.delivery import PermanentDeliveryError

XML = b"<?xml version='1.0' encoding='UTF-8'?>\n<Invoice><ID>SMCH0001</ID></Invoice>\n"
SENT = {"sender": "9932:GB987654321", "receiver": "0088:5012345678900"}
MESSAGE = "<SMCH0001.abc.access_point@roomhire.invalid>"


def test_each_message_is_written_once_as_valid_xml(tmp_path: Path) -> None:
    folder = tmp_path / "peppol-outbox"
    access_point = FolderAccessPoint(folder)
    first = access_point.send(document=XML, message_id=MESSAGE, **SENT)
    (written,) = folder.iterdir()
    assert written.name == "SMCH0001.abc.access_point_roomhire.invalid.xml"
    assert ET.fromstring(written.read_bytes()).findtext("ID") == "SMCH0001"
    assert written.stat().st_mode & 0o777 == 0o600 and first.startswith("written to")
    again = access_point.send(document=XML, message_id=MESSAGE, **SENT)
    assert again.startswith("already written") and list(folder.iterdir()) == [written]
    with pytest.raises(PermanentDeliveryError, match="another document"):
        access_point.send(document=XML.replace(b"0001", b"0002"), message_id=MESSAGE, **SENT)
    assert written.read_bytes() == XML
