"""kefu.core.parsing: ids and integers are ASCII digits in range; text PostgreSQL can store."""

from __future__ import annotations

import pytest

from kefu.core.parsing import (
    BIGINT_MAX,
    InvalidInput,
    id_or_none,
    parse_id,
    parse_integer,
    parse_optional_id,
    unstorable,
)


@pytest.mark.parametrize(
    "raw", ["²", "٣", " 7", "7 ", "+7", "007", "0", "-1", "1.5", "", str(BIGINT_MAX + 1), True]
)
def test_only_plain_ascii_digits_in_range_are_ids(raw):
    assert id_or_none(raw) is None
    with pytest.raises(InvalidInput, match="must be an id"):
        parse_id(raw, name="ticket")


@pytest.mark.parametrize(
    ("raw", "value"), [("1", 1), ("1042", 1042), (str(BIGINT_MAX), BIGINT_MAX), (7, 7), (7.0, 7)]
)
def test_ids_as_text_or_json_numbers(raw, value):
    assert parse_id(raw, name="ticket") == value


def test_an_integer_outside_its_range_names_the_parameter_and_the_range():
    with pytest.raises(InvalidInput, match="page must be a whole number from 1 to 50"):
        parse_integer("51", name="page", minimum=1, maximum=50)
    assert parse_integer("-3", name="offset", minimum=-5, maximum=5) == -3


def test_a_missing_value_takes_the_default_but_an_empty_one_is_an_error():
    assert parse_integer(None, name="page", minimum=1, maximum=9, default=1) == 1
    with pytest.raises(InvalidInput):
        parse_integer("", name="page", minimum=1, maximum=9, default=1)
    assert parse_optional_id("", name="sq") is None


@pytest.mark.parametrize(
    "value", ["a\x00b", "lone \ud800", ["ok", "\x00"], {"k\x00": "v"}, {"k": [{"deep": "\x00"}]}]
)
def test_nul_or_an_unpaired_surrogate_anywhere_is_unstorable(value):
    assert unstorable(value)


def test_ordinary_text_is_storable():
    assert not unstorable({"title": "打印机 🔥", "tags": ["a", "b"], "n": 3})
