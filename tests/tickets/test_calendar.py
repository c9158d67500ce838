"""Business-time arithmetic: weekends, holidays, hours outside the working day, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from kefu.tickets.calendar import (
    CalendarSpec,
    business_add,
    business_minutes_between,
    calendar_spec,
)
from kefu.tickets.models import BusinessCalendar, Holiday

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_9_TO_6 = {str(day): [["09:00", "18:00"]] for day in range(5)}


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def spec(**overrides) -> CalendarSpec:
    options = {"timezone": "Asia/Shanghai", "working_hours": WEEKDAYS_9_TO_6}
    return CalendarSpec(**{**options, **overrides})


def test_two_hours_from_friday_afternoon_end_on_monday_morning():
    friday = shanghai(2024, 5, 10, 17, 0)
    due = business_add(friday, 120, spec())
    assert due == shanghai(2024, 5, 13, 10, 0)
    assert business_minutes_between(friday, due, spec()) == 120


def test_a_holiday_is_skipped_like_a_weekend():
    thursday = shanghai(2024, 5, 9, 17, 0)
    with_holiday = spec(holidays=frozenset({date(2024, 5, 10)}))
    assert business_add(thursday, 120, spec()) == shanghai(2024, 5, 10, 10, 0)
    assert business_add(thursday, 120, with_holiday) == shanghai(2024, 5, 13, 10, 0)
    assert business_minutes_between(thursday, shanghai(2024, 5, 13, 10, 0), with_holiday) == 120


def test_a_start_outside_working_hours_counts_from_the_next_opening():
    saturday_noon = shanghai(2024, 5, 11, 12, 0)
    tuesday_early = shanghai(2024, 5, 14, 7, 0)
    wednesday_night = shanghai(2024, 5, 15, 21, 0)
    assert business_add(saturday_noon, 30, spec()) == shanghai(2024, 5, 13, 9, 30)
    assert business_add(tuesday_early, 60, spec()) == shanghai(2024, 5, 14, 10, 0)
    assert business_add(wednesday_night, 60, spec()) == shanghai(2024, 5, 16, 10, 0)
    assert business_minutes_between(saturday_noon, shanghai(2024, 5, 12, 23, 0), spec()) == 0


def test_a_lunch_break_splits_the_day_into_two_intervals():
    with_lunch = spec(working_hours={"0": [["13:00", "18:00"], ["09:00", "12:00"]]})
    monday = shanghai(2024, 5, 13, 11, 0)
    assert business_add(monday, 120, with_lunch) == shanghai(2024, 5, 13, 14, 0)
    # Monday has 6 of the 8 hours left (1 before lunch, 5 after); 2 wait for next Monday.
    assert business_add(monday, 8 * 60, with_lunch) == shanghai(2024, 5, 20, 11, 0)
    assert business_minutes_between(monday, shanghai(2024, 5, 13, 14, 0), with_lunch) == 120


def test_working_hours_are_local_to_the_calendar_across_a_daylight_saving_change():
    berlin = spec(timezone="Europe/Berlin")
    # Friday 29 March 2024 is still winter time (UTC+1); Monday 1 April is summer time (UTC+2).
    friday = datetime(2024, 3, 29, 17, 0, tzinfo=BERLIN)
    due = business_add(friday, 120, berlin)
    assert due == datetime(2024, 4, 1, 8, 0, tzinfo=UTC)  # 10:00 in Berlin
    assert due.astimezone(BERLIN).hour == 10


def test_the_short_day_of_a_clock_change_has_23_hours():
    every_minute = spec(
        timezone="Europe/Berlin", working_hours={str(day): [["00:00", "24:00"]] for day in range(7)}
    )
    saturday = datetime(2024, 3, 30, 0, 0, tzinfo=BERLIN)
    monday = datetime(2024, 4, 1, 0, 0, tzinfo=BERLIN)
    assert business_minutes_between(saturday, monday, every_minute) == (24 + 23) * 60
    # Shanghai has no daylight saving time: a week of full days is 7 x 24 hours everywhere.
    full_week = spec(working_hours={str(day): [["00:00", "24:00"]] for day in range(7)})
    assert (
        business_minutes_between(shanghai(2024, 3, 25, 0, 0), shanghai(2024, 4, 1, 0, 0), full_week)
        == 7 * 24 * 60
    )


def test_a_calendar_without_working_hours_counts_every_minute():
    always = spec(working_hours={})
    start = shanghai(2024, 5, 11, 12, 0)
    assert business_add(start, 90, always) == shanghai(2024, 5, 11, 13, 30)
    assert business_minutes_between(start, shanghai(2024, 5, 12, 12, 0), always) == 24 * 60


def test_adding_nothing_or_counting_backwards_is_zero():
    start = shanghai(2024, 5, 11, 12, 0)
    assert business_add(start, 0, spec()) == start
    assert business_minutes_between(start, shanghai(2024, 5, 10, 12, 0), spec()) == 0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        business_add(datetime(2024, 5, 10, 9, 0), 10, spec())  # noqa: DTZ001


@pytest.mark.django_db
def test_the_workspace_calendar_is_created_with_defaults_and_carries_its_holidays(in_tenant_a):
    BusinessCalendar.objects.all().delete()
    Holiday.objects.create(date=date(2024, 10, 1), name="National Day")
    loaded = calendar_spec()
    assert loaded.timezone == "Asia/Shanghai"
    assert loaded.working_hours["0"] == [["09:00", "18:00"]]
    assert "5" not in loaded.working_hours
    assert loaded.holidays == frozenset({date(2024, 10, 1)})
    assert BusinessCalendar.objects.count() == 1
