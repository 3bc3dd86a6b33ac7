"""The pure steps of the file import: one line's fields to an item, and the carrier memo."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from domain.customer import Gender
from domain.errors import DomainError, ErrorCode
from domain.ingest_file import customer_item
from domain.phone import carrier_of
from infra.ingest.stream import CarrierMemo


@pytest.mark.spec("X5")
def test_a_line_becomes_the_item_of_the_bulk_mutation() -> None:
    item = customer_item(
        {
            "externalId": 42,
            "fullName": "Võ Thị Sáu",
            "gender": "FEMALE",
            "birthday": "1990-02-03",
            "createdAt": "2026-01-02T03:04:05+07:00",
            "email": "",
            "ward": None,
        }
    )
    assert item.external_id == "42"
    assert item.gender is Gender.FEMALE
    assert item.birthday == date(1990, 2, 3)
    assert item.created_at == datetime(2026, 1, 1, 20, 4, 5, tzinfo=UTC)
    assert (item.email, item.ward) == (None, None)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"externalId": "a", "nickname": "x"}, "nickname", ErrorCode.UNKNOWN_FIELD),
        ({"externalId": "a", "gender": "other"}, "gender", ErrorCode.INVALID),
        ({"externalId": "a", "birthday": "03/02/1990"}, "birthday", ErrorCode.INVALID),
        ({"externalId": "a", "createdAt": "yesterday"}, "createdAt", ErrorCode.INVALID),
        ({"externalId": ["a"]}, "externalId", ErrorCode.INVALID),
        ({"externalId": "a", "phone": True}, "phone", ErrorCode.INVALID),
    ],
)
def test_a_bad_field_names_itself(fields: dict[str, object], field: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as raised:
        customer_item(fields)
    assert (raised.value.field, raised.value.code) == (field, code)


def test_the_carrier_memo_agrees_with_phonenumbers() -> None:
    memo = CarrierMemo()
    rand = random.Random(5)
    numbers = [
        "0" + "".join(rand.choice("0123456789") for _ in range(rand.choice((9, 10))))
        for _ in range(3000)
    ]
    numbers += ["0912345678", "0912000001", "0029061234", "0871234567", None, ""]
    assert [memo(n) for n in numbers] == [carrier_of(n) for n in numbers]
    assert len(memo.known) < len(numbers)
