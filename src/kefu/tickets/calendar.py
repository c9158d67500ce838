"""Business-time arithmetic: add working minutes to a moment, or count them between two.

The functions are pure: they work on a ``CalendarSpec`` (time zone, working hours per weekday,
holidays), so they can be tested without a database. ``calendar_spec()`` loads the workspace's
calendar. Working hours are local wall-clock times in the calendar's zone; days are walked in
local time and every interval is converted to UTC before it is measured, so a day on which
the clocks change has its true length. A calendar without any working hours counts every
minute (24/7) instead of searching forever for a working one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kefu.tickets.models import BusinessCalendar, Holiday

#: How far ahead a calendar is searched before giving up and counting wall-clock time (a
#: calendar whose next working day is more than ten years away is a configuration mistake).
MAX_DAYS = 3660

WorkingHours = Mapping[str, Sequence[Sequence[str]]]


@dataclass(frozen=True)
class CalendarSpec:
    timezone: str = "UTC"
    #: Weekday ("0" = Monday .. "6" = Sunday) -> list of ["HH:MM", "HH:MM"] (end may be 24:00).
    working_hours: WorkingHours = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_always_open(self) -> bool:
        return not any(_day_intervals(self.working_hours, weekday) for weekday in range(7))


def parse_clock(value: str) -> time | None:
    """``"09:30"`` -> 09:30; ``"24:00"`` -> None (the end of the day). Raises ValueError."""
    hours_text, _sep, minutes_text = value.strip().partition(":")
    hours, minutes = int(hours_text), int(minutes_text)
    if (hours, minutes) == (24, 0):
        return None
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"not a time of day: {value!r}")
    return time(hours, minutes)


def _minutes_of_day(value: str) -> int:
    clock = parse_clock(value)
    return 24 * 60 if clock is None else clock.hour * 60 + clock.minute


def _day_intervals(working_hours: WorkingHours, weekday: int) -> list[tuple[int, int]]:
    """The day's working intervals in minutes after local midnight, sorted and merged."""
    intervals = sorted(
        (_minutes_of_day(start), _minutes_of_day(end))
        for start, end in working_hours.get(str(weekday), [])
    )
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return midnight.replace(hour=minutes // 60, minute=minutes % 60)


def _working_intervals(start: datetime, spec: CalendarSpec) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals in UTC, in order, from the local day of ``start`` onwards."""
    zone = spec.zone
    day = start.astimezone(zone).date()
    for _offset in range(MAX_DAYS):
        if day not in spec.holidays:
            for begin, end in _day_intervals(spec.working_hours, day.weekday()):
                yield (
                    _local(day, begin, zone).astimezone(UTC),
                    _local(day, end, zone).astimezone(UTC),
                )
        day += timedelta(days=1)


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("business time needs aware datetimes")


def business_add(start: datetime, minutes: float, spec: CalendarSpec) -> datetime:
    """The moment ``minutes`` working minutes after ``start`` (in UTC). Starting outside working
    hours, the count begins at the next working interval."""
    _require_aware(start)
    start = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    if remaining <= timedelta(0):
        return start
    if spec.is_always_open:
        return start + remaining
    for opening, end in _working_intervals(start, spec):
        if end <= start:
            continue
        begin = max(opening, start)
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    return start + timedelta(minutes=minutes)  # no working time within MAX_DAYS: wall clock


def business_minutes_between(start: datetime, end: datetime, spec: CalendarSpec) -> float:
    """Working minutes from ``start`` to ``end`` (0 if ``end`` is not after ``start``)."""
    _require_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    if spec.is_always_open:
        return (end - start).total_seconds() / 60
    total = timedelta(0)
    for begin, finish in _working_intervals(start, spec):
        if begin >= end:
            break
        overlap = min(finish, end) - max(begin, start)
        if overlap > timedelta(0):
            total += overlap
    return total.total_seconds() / 60


def validate_timezone(name: str) -> str:
    """The name if it is a known IANA time zone; ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone: {name!r}") from None
    return name


def calendar_spec() -> CalendarSpec:
    """The workspace's business calendar (runs inside a tenant schema; creates the default
    calendar, Monday to Friday 09:00-18:00 in Asia/Shanghai, on first use)."""
    calendar = business_calendar_get()
    try:
        zone_name = validate_timezone(calendar.timezone)
    except ValueError:
        zone_name = "UTC"
    return CalendarSpec(
        timezone=zone_name,
        working_hours=calendar.working_hours or {},
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


def business_calendar_get() -> BusinessCalendar:
    """The workspace's one calendar row, created with defaults if missing."""
    calendar = BusinessCalendar.objects.order_by("pk").first()
    if calendar is None:
        calendar, _created = BusinessCalendar.objects.get_or_create(pk=1)
    return calendar


def business_calendar_update(
    *, timezone: str, working_hours: dict[str, list[list[str]]]
) -> BusinessCalendar:
    """Save the workspace's time zone and working hours (validated by the caller's form;
    the zone is checked again here because a bad one would stop every SLA clock)."""
    calendar = business_calendar_get()
    calendar.timezone = validate_timezone(timezone)
    calendar.working_hours = working_hours
    calendar.save()
    _forget_timezone()
    return calendar


def _timezone_cache_key() -> str:
    from django.db import connection

    return f"kefu:workspace-timezone:{connection.schema_name}"


def _forget_timezone() -> None:
    from django.core.cache import cache
    from django.db import transaction

    key = _timezone_cache_key()
    transaction.on_commit(lambda: cache.delete(key))


def workspace_timezone_name() -> str:
    """The workspace's time zone (its business calendar's), cached: every page shows times in it."""
    from django.conf import settings
    from django.core.cache import cache

    key = _timezone_cache_key()
    name = cache.get(key)
    if name is None:
        calendar = BusinessCalendar.objects.order_by("pk").first()
        name = calendar.timezone if calendar else settings.TIME_ZONE
        cache.set(key, name, timeout=300)
    return name


def workspace_timezone() -> ZoneInfo:
    """The workspace's time zone; the site default if its name is unknown (never an error)."""
    from django.conf import settings

    try:
        return ZoneInfo(workspace_timezone_name())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)
