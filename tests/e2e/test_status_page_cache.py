"""The status page cache of each worker: a page missing is rendered once, however many
requests ask for it meanwhile."""

from __future__ import annotations

import time
from functools import partial
from threading import Event, Thread

import pytest
from flask import Response

from service.web.venue_status import Key, PageCache

KEY: Key = (1, "7/3/0/2/0@2026-12-02T09", "_html")


def test_requests_for_a_page_being_rendered_wait_for_that_render() -> None:
    cache, renders, started, finish = PageCache(), [], Event(), Event()

    def render() -> Response:
        renders.append(1)
        started.set()
        finish.wait(timeout=10)
        return Response(f"page {len(renders)}", mimetype="text/html")

    bodies: list[bytes] = []
    first = Thread(target=lambda: bodies.append(cache.get(KEY, render).get_data()))
    second = Thread(target=lambda: bodies.append(cache.get(KEY, render).get_data()))
    first.start()
    assert started.wait(timeout=10)
    second.start()
    time.sleep(0.2)  # the second is waiting by now (a second render would be counted)
    finish.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert renders == [1] and bodies == [b"page 1", b"page 1"]
    assert cache.get(KEY, render).get_data() == b"page 1"


def test_a_failed_render_leaves_the_page_to_be_rendered_next_time() -> None:
    cache = PageCache()

    def failing() -> Response:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cache.get(KEY, failing)
    page = cache.get(KEY, lambda: Response("page", mimetype="text/html"))
    assert page.get_data() == b"page" and page.mimetype == "text/html"


def test_the_least_recently_used_page_is_dropped_first() -> None:
    cache = PageCache(size=2)
    for venue in (1, 2, 1, 3):  # venue 1 used again after 2: venue 2 goes
        cache.get((venue, "v", "_html"), partial(Response, f"venue {venue}"))
    kept = cache.get((1, "v", "_html"), lambda: Response("venue 1 again"))
    again = cache.get((2, "v", "_html"), lambda: Response("venue 2 again"))
    assert kept.get_data() == b"venue 1" and again.get_data() == b"venue 2 again"
