"""发文字号: one number per period's 通报, kept in the store (``report_numbers``).

The first report written for a period takes the year's next number (one more
than the highest given so far that year, else 1); writing it again keeps that
number; ``number=`` (``shanggao report --number 12``) sets it explicitly, and
the counter continues from there.
"""

from __future__ import annotations

from shanggao.db import Store
from shanggao.db.report_numbers import next_number, period_number, record_number
from shanggao.periods import Period
from shanggao.rules import ReportSettings


class ReportNumberError(ValueError):
    """A document number the office gave that cannot be used."""


def assign_number(store: Store, period: Period, settings: ReportSettings, number: int | None = None) -> str:
    """The period's 发文字号 (``""`` when the rules' ``report.number`` pattern is empty)."""
    if not settings.number:
        return ""
    if number is not None and number < 1:
        raise ReportNumberError(f"document number {number} must be 1 or more")
    year = period.end.year
    with store.write() as con:
        n = number if number is not None else period_number(con, period.label) or next_number(con, year)
        text = settings.document_number(year, n)
        record_number(con, period.label, year, n, text)
    return text
