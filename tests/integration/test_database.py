"""The database adapter against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.db.engine import make_session_factory
from adapters.db.migrate import alembic_config, upgrade
from adapters.db.tables import (
    Base,
    InvoiceLineRow,
    InvoiceRow,
    PurchaseOrderRow,
    RoomRow,
    SeriesRow,
    SessionRow,
    TrustRow,
    UserRow,
    VenueRow,
)
from adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from service.domain.bank_holidays import Region
from service.domain.directory import Trust

T0 = datetime(2026, 12, 1, 13, tzinfo=UTC)


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


VENUE = {
    "name": "V",
    "address": "A",
    "postcode": "BS1 1AA",
    "contact_email": "c@example.org",
    "remittance_email": "r@example.org",
    "notice_period_hours": 48,
}


def _room(db: Session) -> int:
    # Only the columns given: the tests that downgrade first have a table without later ones.
    venue_id = db.execute(insert(VenueRow).values(**VENUE).returning(VenueRow.id)).scalar_one()
    room = RoomRow(
        venue_id=venue_id,
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


def test_migration_0013_keeps_old_prices_only_where_honest_and_old_lines_unchanged(
    database_url: str, engine: Engine
) -> None:
    """Sessions booked before 0013 get the room's price only where it reproduces the net
    they were charged; issued lines are not touched (the immutability triggers stay)."""
    command.downgrade(alembic_config(database_url), "0012")
    start = datetime(2026, 12, 1, 13, tzinfo=UTC)
    with make_session_factory(engine)() as db, db.begin():
        room_id = _room_before_0013(db)
        db.execute(insert(SeriesRow), [_series_values(room_id, db)])
        as_booked = {**_session_values(room_id, start, 160), "net_pence": 3291}
        repriced = {**_session_values(room_id, start + timedelta(days=7), 160), "net_pence": 5000}
        db.execute(insert(SessionRow), [as_booked, repriced])
        trust_id = db.execute(insert(TrustRow).values(**_trust_values()).returning(TrustRow.id))
        invoice_id = _old_invoice(db, trust_id.scalar_one(), room_id)
    upgrade(database_url)
    with engine.begin() as conn:
        prices = conn.execute(text("SELECT net_pence, price_per_hour_pence FROM sessions"))
        assert sorted(prices.all()) == [(3291, 1234), (5000, None)]
        line = conn.execute(text("SELECT price_per_hour_pence, vat_treatment FROM invoice_lines"))
        assert line.one() == (None, "unrecorded")
        venue = conn.execute(text("SELECT bank_sort_code, company_number FROM venues"))
        assert venue.one() == (None, None)
    with pytest.raises(Exception, match="invoice_immutable"), engine.begin() as conn:
        conn.execute(text("UPDATE invoice_lines SET vat_treatment = 'exempt'"))
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
    with uow:
        invoice = uow.invoices.get(invoice_id)
    assert invoice is not None
    assert (invoice.lines[0].vat_treatment, invoice.lines[0].rate) == (None, "")
    assert invoice.lines[0].vat == "0%" and invoice.supplier.sort_code is None


def _room_before_0013(db: Session) -> int:
    """Inserted with only the columns there were (the ORM would name every column)."""
    venue_id = db.execute(insert(VenueRow).values(**VENUE).returning(VenueRow.id)).scalar_one()
    room = {"venue_id": venue_id, "name": "R", "capacity": 5, "step_free": True}
    return int(
        db.execute(
            insert(RoomRow)
            .values(
                **room,
                price_per_hour_pence=1234,
                vat_treatment="exempt",
                setup_minutes=0,
                clearaway_minutes=0,
            )
            .returning(RoomRow.id)
        ).scalar_one()
    )


def _trust_values() -> dict[str, object]:
    return {
        "name": "T",
        "organisation_code": "RZZ",
        "payables_code": "P",
        "accounts_payable_email": "ap@example.org",
        "invoice_address": "PO Box 1",
        "po_number_pattern": "RZZPO[0-9]{7}",
    }


def _old_invoice(db: Session, trust_id: int, room_id: int) -> int:
    """An invoice issued before 0013, with one line charging the first session."""
    venue_id = db.execute(text("SELECT venue_id FROM rooms")).scalar_one()
    po = {"number": "RZZPO0000001", "trust_id": trust_id, "venue_id": venue_id}
    po_id = db.execute(
        insert(PurchaseOrderRow)
        .values(
            **po,
            cost_centre="C",
            approved_value_pence=10_000,
            valid_from=T0.date(),
            valid_to=T0.date(),
        )
        .returning(PurchaseOrderRow.id)
    ).scalar_one()
    party = {"name": "V", "address": "A", "email": "r@example.org", "vat_number": None}
    invoice_id = db.execute(
        insert(InvoiceRow)
        .values(
            kind="invoice",
            number="VXX0001",
            venue_id=venue_id,
            trust_id=trust_id,
            purchase_order_id=po_id,
            po_number=po["number"],
            booking_id=1,
            issue_date=T0.date(),
            tax_point=T0.date(),
            due_date=T0.date(),
            supplier=party,
            customer={**party, "name": "T"},
            gross_pence=3291,
            created_at=T0,
        )
        .returning(InvoiceRow.id)
    ).scalar_one()
    db.execute(
        insert(InvoiceLineRow).values(
            invoice_id=invoice_id,
            position=0,
            description="Room hire",
            day=T0.date(),
            start=T0.time(),
            end=T0.time(),
            room="R",
            minutes=160,
            net_pence=3291,
            vat_rate_bp=0,
            vat_pence=0,
            charged_session_id=db.execute(text("SELECT min(id) FROM sessions")).scalar_one(),
        )
    )
    return int(invoice_id)


def test_migration_0024_keeps_old_lines_in_round_0_and_credited_sessions_uncharged(
    database_url: str, engine: Engine
) -> None:
    """Lines issued before 0024 are round 0; a session a credit note took back (a waived late
    cancellation) is no longer charged; the triggers on the rebuilt table still fire."""
    command.downgrade(alembic_config(database_url), "0023")
    with make_session_factory(engine)() as db, db.begin():
        room_id = _room(db)
        db.execute(insert(SeriesRow), [_series_values(room_id, db)])
        db.execute(insert(SessionRow), [_session_values(room_id, T0, 160)])
        trust_id = db.execute(insert(TrustRow).values(**_trust_values()).returning(TrustRow.id))
        _old_invoice(db, trust_id.scalar_one(), room_id)
        db.execute(
            text(
                'INSERT INTO invoice_lines (invoice_id, position, description, day, start, "end", '
                "room, minutes, net_pence, vat_rate_bp, vat_pence, credited_session_id) "
                "SELECT invoice_id, 1, 'Credit', day, start, \"end\", room, minutes, -net_pence, "
                "vat_rate_bp, -vat_pence, charged_session_id FROM invoice_lines"
            )
        )
    upgrade(database_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT charged FROM sessions")).scalar_one() in (False, 0)
        rounds = conn.execute(text("SELECT charge_round FROM invoice_lines")).scalars().all()
        assert rounds == [0, 0]
    for change in ("UPDATE invoice_lines SET charge_round = 1", "DELETE FROM invoice_lines"):
        with pytest.raises(Exception, match="invoice_immutable"), engine.begin() as conn:
            conn.execute(text(change))
    with pytest.raises(IntegrityError), engine.begin() as conn:  # round 0 is charged already
        conn.execute(
            text(
                'INSERT INTO invoice_lines (invoice_id, position, description, day, start, "end", '
                "room, minutes, net_pence, vat_rate_bp, vat_pence, charged_session_id) "
                'SELECT invoice_id, 2, description, day, start, "end", room, minutes, '
                "net_pence, vat_rate_bp, vat_pence, charged_session_id FROM invoice_lines "
                "WHERE position = 0"
            )
        )
