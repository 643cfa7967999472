"""Export layouts as small TOML mapping files: the two built in (`profiles/*.toml`) and any a
finance user writes, in the configured profiles folder or given by path."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from adapters.exports import csv_reader
from service.domain.exports import (
    FIELDS,
    STATUS_FIELDS,
    ExportReading,
    FinanceStatus,
    Profile,
    ProfileInvalid,
    SupplierIndex,
)

BUILT_IN = Path(__file__).parent / "profiles"
_KEYS = {
    "description",
    "date_formats",
    "required",
    "columns",
    "statuses",
    "every_row",
    "combine_payments",
}


class Profiles:
    """Built-in profiles, then `*.toml` in `folder` (a file there may not shadow a built-in),
    and the CSV reader that follows them."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folders = [BUILT_IN] + ([folder] if folder else [])

    def names(self) -> list[str]:
        return sorted({p.stem for folder in self._folders for p in folder.glob("*.toml")})

    def get(self, name: str) -> Profile:
        """A profile by name, or a mapping file by path (ends in .toml)."""
        if name.endswith(".toml"):
            return load(Path(name))
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ProfileInvalid(f"{name!r} is not a profile name.", field="profile")
        for folder in self._folders:
            path = folder / f"{name}.toml"
            if path.is_file():
                return load(path)
        raise ProfileInvalid(
            f"There is no export profile {name!r}; known: {', '.join(self.names())}.",
            field="profile",
        )

    def read(
        self,
        data: bytes,
        profile: Profile,
        suppliers: SupplierIndex,
        progress: csv_reader.Progress | None = None,
    ) -> ExportReading:
        return csv_reader.read(data, profile, suppliers, progress)


def load(path: Path) -> Profile:
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileInvalid(f"{path}: cannot read it ({exc}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileInvalid(f"{path}: not valid TOML ({exc}).") from exc
    try:
        return _profile(path.stem, spec)
    except ProfileInvalid as exc:
        raise ProfileInvalid(f"{path}: {exc}") from exc


def _profile(name: str, spec: dict[str, Any]) -> Profile:
    unknown = set(spec) - _KEYS
    if unknown:
        raise ProfileInvalid(f"unknown setting {', '.join(sorted(unknown))}.")
    columns = {
        field: _headers(field, headers) for field, headers in _table(spec, "columns").items()
    }
    _known(columns, FIELDS, "[columns]")
    if not {"amount", "amount_paid"} & columns.keys():
        raise ProfileInvalid("[columns] needs amount or amount_paid.")
    required = tuple(_strings(spec.get("required", []), "required"))
    missing = [f for f in required if f not in columns]
    if missing:
        raise ProfileInvalid(f"required field {', '.join(missing)} has no column.")
    statuses: dict[str, dict[str, FinanceStatus | None]] = {}
    for field, values in _table(spec, "statuses").items():
        if not isinstance(values, dict):
            raise ProfileInvalid(f"[statuses.{field}] must be a table of value = status.")
        statuses[field] = {value.strip().lower(): _status(v) for value, v in values.items()}
    _known(statuses, [f for f in STATUS_FIELDS if f in columns], "[statuses]")
    return Profile(
        name=name,
        columns=columns,
        required=required,
        date_formats=_date_formats(spec.get("date_formats", ["%d/%m/%Y"])),
        statuses=statuses,
        every_row=_status(spec["every_row"]) if "every_row" in spec else None,
        combine_payments=spec.get("combine_payments", False) is True,
        description=str(spec.get("description", "")),
    )


def _table(spec: dict[str, Any], key: str) -> dict[str, Any]:
    table = spec.get(key, {})
    if not isinstance(table, dict):
        raise ProfileInvalid(f"{key} must be a table.")
    return table


def _known(table: dict[str, Any], allowed: Any, where: str) -> None:
    unknown = [key for key in table if key not in allowed]
    if unknown:
        raise ProfileInvalid(
            f"{where}: unknown field {', '.join(unknown)}; known: {', '.join(allowed)}."
        )


def _headers(field: str, headers: Any) -> tuple[str, ...]:
    found = tuple(_strings([headers] if isinstance(headers, str) else headers, field))
    if not found:
        raise ProfileInvalid(f"[columns] {field} names no header.")
    return found


def _strings(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ProfileInvalid(f"{where} must be a list of non-empty strings.")
    return values


def _status(meaning: Any) -> FinanceStatus | None:
    if meaning == "":
        return None
    try:
        return FinanceStatus(meaning)
    except ValueError:
        allowed = ", ".join(s.value for s in FinanceStatus if s is not FinanceStatus.SENT)
        raise ProfileInvalid(f'{meaning!r} is not a status; use one of {allowed} or "".') from None


def _date_formats(values: Any) -> tuple[str, ...]:
    forms = _strings(values, "date_formats")
    sample = date(2026, 11, 23)
    for form in forms:
        try:
            datetime.strptime(sample.strftime(form), form)  # noqa: DTZ007 — a date only
        except ValueError:
            raise ProfileInvalid(f"date format {form!r} cannot read its own dates.") from None
    return tuple(forms)
