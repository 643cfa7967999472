"""The Flask test client as the tests read it: the API answers JSON, so `response.json` is
typed `Any` (werkzeug types it `Any | None`, which would make every test assert it isn't None
before reading a field). At run time this is Flask's own client, unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

if TYPE_CHECKING:

    class Answer(TestResponse):
        json: Any

    class Client(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Answer: ...
        def get(self, *args: Any, **kwargs: Any) -> Answer: ...
        def post(self, *args: Any, **kwargs: Any) -> Answer: ...
        def put(self, *args: Any, **kwargs: Any) -> Answer: ...
        def patch(self, *args: Any, **kwargs: Any) -> Answer: ...
        def delete(self, *args: Any, **kwargs: Any) -> Answer: ...
        def head(self, *args: Any, **kwargs: Any) -> Answer: ...

else:
    Answer = TestResponse
    Client = FlaskClient


def client_for(app: Flask) -> Client:
    """`app.test_client()`, typed as the tests read it."""
    return cast(Client, app.test_client())
