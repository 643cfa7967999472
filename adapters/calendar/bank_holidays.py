"""UK bank holidays by region, from the `holidays` package, as GOV.UK publishes them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

from service.domain.bank_holidays import Region, as_published

_SUBDIVISION = {
    Region.ENGLAND_AND_WALES: "ENG",  # Wales ("WLS") has the same bank holidays
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}


class UkBankHolidays:
    """The package's own dates (observed=False), with the substitute-day rule applied in the
    domain: its "(observed)" entries would leave the weekend date counting too."""

    def holiday_name(self, day: date, region: Region) -> str | None:
        return _year(region, day.year).get(day)


@lru_cache(maxsize=256)
def _year(region: Region, year: int) -> dict[date, str]:
    found = holidays.country_holidays("GB", subdiv=_SUBDIVISION[region], years=year, observed=False)
    return as_published(dict(found))
