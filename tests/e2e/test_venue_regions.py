"""Each venue keeps its own part of the UK's bank holidays (only the dates GOV.UK publishes),
may open on them, and a booking may keep one on purpose: through the HTTP API, on each engine."""

from __future__ import annotations

from typing import Any

from tests.client import Client
from tests.conftest import Staff, booking_body

Who = dict[str, Any]


def book(client: Client, who: Who, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/bookings", json=body, headers=who["headers"])


def room_at(staff: Staff, **venue: Any) -> dict[str, Any]:
    return staff.room(staff.venue(**venue)["id"])


def once(client: Client, who: Who, room: dict[str, Any], day: str) -> Any:
    return book(client, who, booking_body(room["id"], first_date=day))


def test_a_venue_keeps_england_and_wales_unless_told_and_its_region_can_change(
    client: Client, staff: Staff
) -> None:
    venue = staff.venue()
    assert (venue["region"], venue["open_on_bank_holidays"]) == ("england_and_wales", False)
    scottish = staff.venue(name="Leith Hall", region="scotland", open_on_bank_holidays=True)
    assert (scottish["region"], scottish["open_on_bank_holidays"]) == ("scotland", True)

    path = f"/api/v1/venues/{venue['id']}"
    etag = client.get(path, headers=staff.admin["headers"]).headers["ETag"]
    changed = client.patch(
        path,
        json={"region": "northern_ireland"},
        headers={**staff.admin["headers"], "If-Match": etag},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json == {**venue, "region": "northern_ireland"}
    stale = client.patch(
        path,
        json={"open_on_bank_holidays": True},
        headers={**staff.admin["headers"], "If-Match": etag},
    )
    assert stale.status_code == 412
    now = client.get(path, headers=staff.admin["headers"]).json
    assert (now["region"], now["open_on_bank_holidays"]) == ("northern_ireland", False)


def test_a_region_or_flag_that_is_not_one_we_know_is_refused_with_422(
    client: Client, staff: Staff
) -> None:
    venue = staff.venue()
    admin = staff.admin["headers"]
    for body in ({"region": "wales"}, {"region": None}, {"region": 3}):
        created = client.post("/api/v1/venues", json={**body, "name": "X"}, headers=admin)
        changed = client.patch(f"/api/v1/venues/{venue['id']}", json=body, headers=admin)
        for response in (created, changed):
            assert response.status_code == 422
            assert response.mimetype == "application/problem+json"
            assert "region" in response.json["errors"]["json"]
    refused = client.post("/api/v1/venues", json={"region": "Wales"}, headers=admin)
    assert refused.json["errors"]["json"]["region"] == [
        "Give the venue's region: england_and_wales, scotland or northern_ireland."
    ]
    flag = client.patch(
        f"/api/v1/venues/{venue['id']}", json={"open_on_bank_holidays": "sometimes"}, headers=admin
    )
    assert flag.status_code == 422 and "open_on_bank_holidays" in flag.json["errors"]["json"]
    assert client.get(f"/api/v1/venues/{venue['id']}", headers=admin).json == venue


def test_boxing_day_on_a_saturday_is_an_ordinary_day_and_the_monday_is_the_holiday(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    room = room_at(staff)
    saturday = once(client, facilitator, room, "2026-12-26")
    assert saturday.status_code == 201, saturday.json
    assert [s["date"] for s in saturday.json["sessions"]] == ["2026-12-26"]
    monday = once(client, facilitator, room, "2026-12-28")
    assert monday.status_code == 422
    assert monday.json["detail"] == (
        "Monday 28 December 2026 is a bank holiday: Boxing Day (substitute day)."
    )
    # 2027: Christmas on a Saturday, Boxing Day on the Sunday: Monday and Tuesday instead.
    series = booking_body(
        room["id"], first_date="2027-12-25", frequency="weekly", until="2028-01-01"
    )
    assert [s["date"] for s in book(client, facilitator, series).json["sessions"]] == [
        "2027-12-25",
        "2028-01-01",
    ]
    daily = [
        once(client, facilitator, room, f"2027-12-{day}").json.get("detail") for day in (27, 28)
    ]
    assert daily == [
        "Monday 27 December 2027 is a bank holiday: Christmas Day (substitute day).",
        "Tuesday 28 December 2027 is a bank holiday: Boxing Day (substitute day).",
    ]


def test_each_region_skips_its_own_bank_holidays_and_names_them(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    england = room_at(staff)
    scotland = room_at(staff, name="Leith Hall", region="scotland")
    ireland = room_at(staff, name="Newry Hall", region="northern_ireland")

    def refusal(room: dict[str, Any], day: str) -> str | None:
        response = once(client, facilitator, room, day)
        assert response.status_code in (201, 422), response.json
        return response.json["detail"] if response.status_code == 422 else None

    # Monday 4 January 2027: Scotland's 2 January fell on the Saturday.
    assert refusal(scotland, "2027-01-04") == (
        "Monday 4 January 2027 is a bank holiday: New Year Holiday (substitute day)."
    )
    assert refusal(england, "2027-01-04") is None
    assert refusal(ireland, "2027-03-17") == (
        "Wednesday 17 March 2027 is a bank holiday: Saint Patrick's Day."
    )
    assert refusal(ireland, "2027-07-12") == (
        "Monday 12 July 2027 is a bank holiday: Battle of the Boyne."
    )
    assert refusal(scotland, "2027-03-29") is None  # Easter Monday is no bank holiday there
    assert refusal(scotland, "2027-11-30") == (
        "Tuesday 30 November 2027 is a bank holiday: Saint Andrew's Day."
    )
    # August: the first Monday in Scotland, the last elsewhere.
    body = booking_body(scotland["id"], first_date="2027-07-26", frequency="weekly", sessions=6)
    booked = book(client, facilitator, body).json
    assert booked["skipped"] == [
        {"date": "2027-08-02", "reason": "bank holiday: Summer Bank Holiday"}
    ]
    assert booked["sessions"][-1]["date"] == "2027-09-06"
    body = booking_body(england["id"], first_date="2027-07-26", frequency="weekly", sessions=6)
    booked = book(client, facilitator, body).json
    assert booked["skipped"] == [
        {"date": "2027-08-30", "reason": "bank holiday: Late Summer Bank Holiday"}
    ]


def test_a_venue_open_on_bank_holidays_skips_none_but_still_skips_its_closures(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    room = room_at(
        staff,
        open_on_bank_holidays=True,
        closures=[{"date": "2027-01-04", "reason": "Boiler service"}],
    )
    christmas = once(client, facilitator, room, "2026-12-25")
    assert christmas.status_code == 201, christmas.json
    body = booking_body(room["id"], first_date="2026-12-21", frequency="weekly", sessions=3)
    booked = book(client, facilitator, body).json
    assert [s["date"] for s in booked["sessions"]] == ["2026-12-21", "2026-12-28", "2027-01-11"]
    assert booked["skipped"] == [{"date": "2027-01-04", "reason": "venue closed: Boiler service"}]


def test_a_booking_keeps_the_bank_holidays_it_lists_and_skips_the_others(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    room = room_at(staff)
    body = booking_body(
        room["id"],
        first_date="2027-03-22",
        frequency="weekly",
        sessions=10,
        keep_bank_holidays=["2027-05-03"],
    )
    response = book(client, facilitator, body)  # Mondays: Easter Monday, both May holidays
    assert response.status_code == 201, response.json
    booked = response.json
    assert "2027-05-03" in [s["date"] for s in booked["sessions"]]
    assert booked["skipped"] == [
        {"date": "2027-03-29", "reason": "bank holiday: Easter Monday"},
        {"date": "2027-05-31", "reason": "bank holiday: Spring Bank Holiday"},
    ]
    assert len(booked["sessions"]) == 10 and booked["sessions"][-1]["date"] == "2027-06-07"
    assert "keep_bank_holidays" not in booked

    single = booking_body(room["id"], first_date="2027-05-31", keep_bank_holidays=["2027-05-31"])
    assert book(client, facilitator, single).status_code == 201


def test_keeping_a_date_the_booking_does_not_fall_on_is_refused_and_nothing_is_booked(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    room = room_at(staff)
    body = booking_body(
        room["id"],
        first_date="2027-03-22",
        frequency="weekly",
        sessions=2,
        keep_bank_holidays=["2027-03-29", "2027-03-30"],
    )
    refused = book(client, facilitator, body)
    assert refused.status_code == 422
    assert refused.json["code"] == "rule_violation"
    assert refused.json["detail"] == (
        "Only this booking's own dates can be kept on a bank holiday, and it doesn't fall on "
        "Tuesday 30 March 2027."
    )
    assert refused.json["dates"] == ["2027-03-30"]
    for wrong in ("Easter", ["29/03/2027"], [None], "2027-03-29"):
        response = book(client, facilitator, {**body, "keep_bank_holidays": wrong})
        assert response.status_code == 422, wrong
        assert "keep_bank_holidays" in response.json["errors"]["json"]
    mine = client.get(f"/api/v1/bookings?room_id={room['id']}", headers=facilitator["headers"])
    assert mine.json == []


def test_availability_follows_each_venues_region_and_opening(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    room_at(staff, name="Bristol Hall")
    room_at(staff, name="Leith Hall", region="scotland")
    room_at(staff, name="Open Hall", open_on_bank_holidays=True)

    def venues(day: str) -> list[str]:
        query = f"start={day}T13:00&end={day}T16:00"
        response = client.get(f"/api/v1/rooms/availability?{query}", headers=facilitator["headers"])
        assert response.status_code == 200, response.json
        return [room["venue"]["name"] for room in response.json]

    assert venues("2027-08-02") == ["Bristol Hall", "Open Hall"]  # Scotland's summer holiday
    assert venues("2027-08-30") == ["Leith Hall", "Open Hall"]  # England and Wales'
    assert venues("2026-12-26") == ["Bristol Hall", "Leith Hall", "Open Hall"]  # a Saturday
    assert venues("2026-12-28") == ["Open Hall"]
