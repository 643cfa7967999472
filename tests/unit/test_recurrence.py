from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.errors import RuleViolation
from service.domain.recurrence import MAX_SESSIONS, Frequency, Recurrence, plan

CHRISTMAS = {date(2026, 12, 22), date(2026, 12, 29)}  # two Tuesdays to skip


def closed(day: date) -> str | None:
    return "closed" if day in CHRISTMAS else None


def test_weekly_series_keeps_its_count_by_running_on_past_skipped_dates() -> None:
    days, skipped = plan(Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=6), closed)
    assert days == [
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2027, 1, 5),
        date(2027, 1, 12),
        date(2027, 1, 19),
        date(2027, 1, 26),
    ]
    assert [s.day for s in skipped] == sorted(CHRISTMAS)


def test_series_can_drop_skipped_dates_instead() -> None:
    r = Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=6, keep_count=False)
    days, skipped = plan(r, closed)
    assert len(days) == 4 and len(skipped) == 2 and days[-1] == date(2027, 1, 12)


def test_fortnightly_until_a_date_includes_that_date() -> None:
    days, _ = plan(
        Recurrence(date(2027, 1, 5), Frequency.FORTNIGHTLY, until=date(2027, 2, 16)), closed
    )
    assert days == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2), date(2027, 2, 16)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": Frequency.WEEKLY},
        {"frequency": Frequency.WEEKLY, "count": 3, "until": date(2027, 3, 1)},
        {"frequency": Frequency.WEEKLY, "count": 0},
        {"frequency": Frequency.WEEKLY, "until": date(2026, 1, 1)},
        {"frequency": Frequency.ONCE, "count": 2},
        {"frequency": Frequency.WEEKLY, "until": date(2030, 1, 1)},
    ],
)
def test_malformed_recurrences_are_refused(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(RuleViolation):
        Recurrence(date(2026, 12, 8), **kwargs)


def test_a_single_booking_on_a_closed_day_is_refused_naming_the_date_and_why() -> None:
    with pytest.raises(RuleViolation) as refused:
        plan(Recurrence(date(2026, 12, 22)), lambda d: "venue closed: Christmas")
    assert refused.value.message == "The venue is closed on Tuesday 22 December 2026: Christmas."
    assert refused.value.details == {"date": "2026-12-22"}
    with pytest.raises(RuleViolation) as refused:
        plan(Recurrence(date(2027, 1, 1)), lambda d: "bank holiday: New Year's Day")
    assert refused.value.message == "Friday 1 January 2027 is a bank holiday: New Year's Day."
    with pytest.raises(RuleViolation, match="Tuesday 22 December 2026 can't be booked: closed"):
        plan(Recurrence(date(2026, 12, 22)), closed)


def test_a_series_with_no_date_left_names_every_date_and_why() -> None:
    with pytest.raises(RuleViolation) as refused:
        plan(Recurrence(date(2026, 12, 22), Frequency.WEEKLY, until=date(2026, 12, 29)), closed)
    assert refused.value.message == (
        "None of this booking's dates can be booked: Tuesday 22 December 2026 (closed), "
        "Tuesday 29 December 2026 (closed)."
    )


def test_a_series_too_long_says_so_not_that_dates_were_skipped() -> None:
    with pytest.raises(RuleViolation) as refused:
        Recurrence(date(2026, 12, 8), Frequency.FORTNIGHTLY, count=104)
    assert "skipped" not in refused.value.message
    assert refused.value.message == (
        "104 fortnightly sessions would run until Tuesday 19 November 2030, but a series can "
        "run for at most two years: book at most 53 fortnightly sessions."
    )
    most = Recurrence(date(2026, 12, 8), Frequency.FORTNIGHTLY, count=53)
    assert len(plan(most, lambda d: None)[0]) == 53


def test_made_up_skipped_dates_past_two_years_say_how_many_were_skipped() -> None:
    def every_other_week(day: date) -> str | None:
        return "closed" if (day - date(2026, 12, 8)).days % 14 else None

    with pytest.raises(RuleViolation) as refused:
        plan(Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=104), every_other_week)
    assert refused.value.message == (
        "104 weekly sessions fit in two years, but with the 52 skipped dates made up at the end "
        "the series would run past two years: book fewer sessions, or don't make up skipped "
        "dates (keep_session_count false)."
    )
    assert refused.value.details == {"field": "sessions", "skipped": 52}


def test_one_made_up_skipped_date_is_named_in_the_singular() -> None:
    first = date(2026, 12, 8)
    with pytest.raises(RuleViolation, match="with the 1 skipped date made up at the end"):
        plan(
            Recurrence(first, Frequency.FORTNIGHTLY, count=53),
            lambda d: "closed" if d == date(2026, 12, 22) else None,
        )


def test_the_full_104_sessions_with_nothing_skipped_are_booked() -> None:
    one_skipped = plan(
        Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=104),
        lambda d: "closed" if d == date(2026, 12, 22) else None,
    )
    assert len(one_skipped[0]) == 104 and one_skipped[0][-1] == date(2028, 12, 5)
    days, skipped = plan(Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=104), lambda d: None)
    assert len(days) == 104 and not skipped and days[-1] == date(2028, 11, 28)


def test_an_until_date_past_104_sessions_is_refused_for_the_cap_not_for_skipped_dates() -> None:
    series = Recurrence(date(2026, 12, 8), Frequency.WEEKLY, until=date(2028, 12, 5))
    with pytest.raises(RuleViolation) as refused:
        plan(series, lambda d: None)
    assert refused.value.message == (
        "Weekly sessions from Tuesday 8 December 2026 until Tuesday 5 December 2028 would be "
        "105 sessions, but a series has at most 104: end it on or before Tuesday 28 November "
        "2028."
    )
    assert refused.value.details == {"field": "until"}
    days, skipped = plan(series, closed)  # two dates skipped: 103 sessions
    assert len(days) == 103 and len(skipped) == 2


@given(
    first=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    count=st.integers(1, 30),
    fortnightly=st.booleans(),
    keep=st.booleans(),
    closed_days=st.sets(st.dates(date(2026, 1, 1), date(2031, 12, 31)), max_size=40),
)
def test_planned_series_hold_the_properties_a_facilitator_relies_on(
    first: date, count: int, fortnightly: bool, keep: bool, closed_days: set[date]
) -> None:
    closed_days.discard(first)  # the first date is open, so the series is never empty
    frequency = Frequency.FORTNIGHTLY if fortnightly else Frequency.WEEKLY
    days, skipped = plan(
        Recurrence(first, frequency, count=count, keep_count=keep),
        lambda d: "closed" if d in closed_days else None,
    )
    assert days[0] == first
    assert all((d - first).days % (14 if fortnightly else 7) == 0 for d in days)
    assert not set(days) & closed_days and {s.day for s in skipped} <= closed_days
    assert days == sorted(days) and len(set(days)) == len(days)
    assert len(days) == count if keep else len(days) + len(skipped) == count


def grid(first: date, frequency: Frequency, steps: int) -> list[date]:
    return [first + frequency.step * n for n in range(steps)]


@settings(max_examples=200, deadline=None)
@given(
    first=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    count=st.integers(1, 30),
    frequency=st.sampled_from([Frequency.WEEKLY, Frequency.FORTNIGHTLY]),
    keep=st.booleans(),
    closed_steps=st.sets(st.integers(1, 50), max_size=20),
)
def test_closed_dates_of_a_counted_series_are_skipped_in_turn_and_made_up_or_dropped(
    first: date, count: int, frequency: Frequency, keep: bool, closed_steps: set[int]
) -> None:
    """Closures on the series' own dates: every date is looked at once, in turn, with
    nothing jumped; a closed one is skipped and, if the count is kept, made up at the end."""
    closed = {d for n, d in enumerate(grid(first, frequency, 51)) if n in closed_steps}
    days, skipped = plan(
        Recurrence(first, frequency, count=count, keep_count=keep),
        lambda d: "venue closed: Decorating" if d in closed else None,
    )
    looked_at = sorted([*days, *(s.day for s in skipped)])
    assert looked_at == grid(first, frequency, len(looked_at))
    assert [s.day for s in skipped] == [d for d in looked_at if d in closed]
    assert len(days) == count if keep else len(looked_at) == count


@settings(max_examples=200, deadline=None)
@given(
    first=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    weeks=st.integers(0, 104),
    frequency=st.sampled_from([Frequency.WEEKLY, Frequency.FORTNIGHTLY]),
    closed_steps=st.sets(st.integers(0, 104), max_size=30),
)
def test_a_series_until_a_date_holds_every_open_date_up_to_it_or_is_refused_naming_why(
    first: date, weeks: int, frequency: Frequency, closed_steps: set[int]
) -> None:
    until = first + timedelta(weeks=weeks)
    dates = [d for d in grid(first, frequency, 105) if d <= until]
    closed = {d for n, d in enumerate(dates) if n in closed_steps}
    open_dates = [d for d in dates if d not in closed]
    recurrence = Recurrence(first, frequency, until=until)
    if not open_dates or len(open_dates) > MAX_SESSIONS:
        with pytest.raises(RuleViolation):
            plan(recurrence, lambda d: "closed" if d in closed else None)
        return
    days, skipped = plan(recurrence, lambda d: "closed" if d in closed else None)
    assert days == open_dates
    assert [s.day for s in skipped] == sorted(closed)
