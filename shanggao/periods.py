"""Report and verification periods: a month (2022-06), a year (2022), or from/to dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shanggao.dates import parse_date, parse_month


class PeriodError(ValueError):
    """A period the user asked for cannot be understood; ``option`` names the option(s) at fault.

    The CLI prints it as a usage error (one line, exit status 2).
    """

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str          # 2022-06 / 2022 / 2022-06-01..2022-06-15

    @property
    def is_year(self) -> bool:
        return self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31)

    @property
    def is_month(self) -> bool:
        return len(self.label) == 7

    @property
    def title(self) -> str:
        if self.is_year:
            return f"{self.start.year}年"
        if self.is_month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def months(self) -> list[tuple[int, int]]:
        out, (y, m) = [], (self.start.year, self.start.month)
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def parse_period(text: str) -> Period:
    """'2022-06' or '2022' -> Period; :class:`PeriodError` on anything else."""
    try:
        start, end = parse_month(text)
    except ValueError as exc:
        raise PeriodError(str(exc), "--period") from None
    label = f"{start.year}" if start.month != end.month else f"{start.year}-{start.month:02d}"
    return Period(start, end, label)


def period_from_options(period: str | None, start: str | None, end: str | None) -> Period | None:
    """--period, or --from/--to (both inclusive); None when none is given."""
    if period and (start or end):
        raise PeriodError("give --period or --from/--to, not both")
    if period:
        return parse_period(period)
    if not (start or end):
        return None
    if not (start and end):
        raise PeriodError("--from and --to go together")
    try:
        first, last = parse_date(start), parse_date(end)
    except ValueError as exc:
        raise PeriodError(str(exc), "--from/--to") from None
    if first is None or last is None:
        raise PeriodError("--from and --to go together")
    if first > last:
        raise PeriodError(f"--from {first} is after --to {last}", "--from/--to")
    return Period(first, last, f"{first.isoformat()}..{last.isoformat()}")
