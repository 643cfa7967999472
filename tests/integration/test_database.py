"""The database adapter against real SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.db.engine import make_engine, make_session_factory
from adapters.db.migrate import alembic_config, upgrade
from adapters.db.tables import Base, RoomRow, SeriesRow, SessionRow, UserRow, VenueRow
from adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from service.domain.bank_holidays import Region
from service.domain.directory import Trust

T0 = datetime(2026, 12, 1, 13, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def _trust(name: str) -> Trust:
    return Trust(name, "RZZ", "P", "ap@example.org", "PO Box 1", r"RZZPO\d{7}")


def test_unit_of_work_rolls_back_unless_committed(sessions: sessionmaker[Session]) -> None:
    uow = SqlAlchemyUnitOfWork(sessions)
    with uow:
        uow.trusts.add(_trust("forgotten"))
    with uow:
        uow.trusts.add(_trust("kept"))
        uow.commit()
    with uow:
        assert [t.name for t in uow.trusts.all()] == ["kept"]


def test_nested_blocks_join_the_outer_transaction(sessions: sessionmaker[Session]) -> None:
    uow = SqlAlchemyUnitOfWork(sessions)
    with pytest.raises(RuntimeError), uow:
        with uow:
            uow.trusts.add(_trust("inner"))
            uow.commit()  # deferred to the outer block...
        raise RuntimeError("...which fails, so nothing is stored")
    with uow:
        assert uow.trusts.all() == []


def test_times_come_back_timezone_aware_in_utc(sessions: sessionmaker[Session]) -> None:
    uow = SqlAlchemyUnitOfWork(sessions)
    london_noon = datetime.fromisoformat("2027-06-01T12:00:00+01:00")
    with uow:
        room_id = _room(uow.db)
        uow.db.execute(insert(SeriesRow), [_series_values(room_id, uow.db)])
        uow.db.execute(insert(SessionRow), [_session_values(room_id, london_noon, 60)])
        uow.commit()
    with uow:
        session = uow.bookings.session(1)
    assert session is not None
    assert session.slot.start == london_noon and session.slot.start.tzinfo == UTC


def _room(db: Session) -> int:
    venue = VenueRow(
        name="V",
        address="A",
        postcode="BS1 1AA",
        contact_email="c@example.org",
        remittance_email="r@example.org",
        notice_period_hours=48,
    )
    db.add(venue)
    db.flush()
    room = RoomRow(
        venue_id=venue.id,
        name="R",
        capacity=5,
        step_free=True,
        price_per_hour_pence=1,
        vat_treatment="exempt",
        setup_minutes=0,
        clearaway_minutes=0,
    )
    db.add(room)
    db.flush()
    return room.id


def _series_values(room_id: int, db: Session) -> dict[str, object]:
    user = UserRow(
        email=f"f{room_id}@example.org", role="facilitator", key_hash="h" * 64, active=True
    )
    db.add(user)
    db.flush()
    return {
        "id": 1,
        "room_id": room_id,
        "facilitator_id": user.id,
        "group_label": "G",
        "frequency": "once",
        "first_date": T0.date(),
        "keep_count": True,
        "start_time": T0.time(),
        "end_time": T0.time(),
        "created_at": T0,
        "skipped": [],
    }


def _session_values(
    room_id: int, start: datetime, minutes: int, status: str = "booked"
) -> dict[str, object]:
    end = start + timedelta(minutes=minutes)
    return {
        "series_id": 1,
        "room_id": room_id,
        "starts_at": start,
        "ends_at": end,
        "occupied_from": start,
        "occupied_until": end,
        "status": status,
    }


def test_the_database_itself_refuses_overlapping_booked_sessions(
    sessions: sessionmaker[Session],
) -> None:
    """The guarantee does not rest on Python: a raw INSERT of an overlap is refused."""
    with sessions() as db, db.begin():
        room_id = _room(db)
        db.execute(insert(SeriesRow), [_series_values(room_id, db)])
        db.execute(insert(SessionRow), [_session_values(room_id, T0, 180)])
    overlapping = _session_values(room_id, T0 + timedelta(hours=2), 60)
    with pytest.raises(IntegrityError), sessions() as db, db.begin():
        db.execute(insert(SessionRow), [overlapping])
    with sessions() as db, db.begin():  # cancelled sessions and touching ones are fine
        db.execute(insert(SessionRow), [{**overlapping, "status": "cancelled"}])
        db.execute(insert(SessionRow), [_session_values(room_id, T0 + timedelta(hours=3), 60)])
    with pytest.raises(IntegrityError), sessions() as db, db.begin():  # nor by un-cancelling
        db.execute(text("UPDATE sessions SET status = 'booked' WHERE status = 'cancelled'"))


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrations_downgrade_and_upgrade_again(database_url: str, engine: Engine) -> None:
    command.downgrade(alembic_config(database_url), "base")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    upgrade(database_url)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_venues_there_before_regions_keep_england_and_wales_and_close_on_bank_holidays(
    database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    command.downgrade(alembic_config(database_url), "0011")
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO venues (name, address, postcode, contact_email, remittance_email, "
                "notice_period_hours) VALUES ('Old Hall', '1 Row', 'BS1 1AA', 'h@example.org', "
                "'m@example.org', 48)"
            )
        )
    upgrade(database_url)
    with SqlAlchemyUnitOfWork(sessions) as uow:
        [venue] = uow.venues.all()
        assert (venue.region, venue.open_on_bank_holidays) == (Region.ENGLAND_AND_WALES, False)
        venue.region, venue.open_on_bank_holidays = Region.SCOTLAND, True
        uow.venues.update(venue)
        uow.commit()
    with SqlAlchemyUnitOfWork(sessions) as uow:
        stored = uow.venues.get(venue.id or 0)
    assert stored is not None
    assert (stored.region, stored.open_on_bank_holidays) == (Region.SCOTLAND, True)
