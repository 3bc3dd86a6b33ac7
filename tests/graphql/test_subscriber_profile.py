"""A subscriber shows its status, tags, ref links, sequences, custom fields and conversations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from tests.conftest import GraphQL, StatementLog
from tests.factories import SHOP_ID, T0, make_page, make_subscriber, make_tag, make_thread

PROFILES = """
query Profiles($first: Int!) {
  subscribers(first: $first) {
    nodes {
      fullName avatarUrl subscribed lastInteractionAt
      tags { name }
      refLinks { ref openedAt }
      otnTopics { topic }
      customFields { key label type value numberValue dateValue }
      sequenceEnrolments { status enrolledAt }
      threads { id channel lastMessageAt page { name } }
    }
  }
}
"""


async def _subscriber_with_everything(session: AsyncSession, page: int, n: int) -> int:
    sub = await make_subscriber(
        session,
        page_id=page,
        full_name=f"Phạm Thu {n}",
        avatar_url=f"https://cdn.example/{n}.jpg",
        last_interaction_at=T0 + timedelta(days=n),
    )
    tag = await make_tag(session, name=f"Quan tâm {n}", page_id=page)
    await session.execute(
        insert(t.subscriber_tag).values(shop_id=SHOP_ID, subscriber_id=sub, tag_id=tag)
    )
    await session.execute(
        insert(t.ref_link_open).values(
            [
                {"shop_id": SHOP_ID, "subscriber_id": sub, "ref": "tet-sale", "opened_at": T0},
                {
                    "shop_id": SHOP_ID,
                    "subscriber_id": sub,
                    "ref": "new-arrivals",
                    "opened_at": T0 + timedelta(hours=1),
                },
            ]
        )
    )
    await session.execute(
        insert(t.otn_subscription).values(shop_id=SHOP_ID, subscriber_id=sub, topic="back-in-stock")
    )
    await make_thread(session, page_id=page, subscriber_id=sub, last_message_at=T0)
    return sub


@pytest.mark.spec("S1", "S2", "S3", "S4", "S5")
@pytest.mark.parametrize("count", [1, 6])
async def test_profile_fields_with_a_constant_number_of_statements(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog, count: int
) -> None:
    page = await make_page(session, name="Shop Hoa")
    ids = [await _subscriber_with_everything(session, page, n) for n in range(count)]
    fields = await session.execute(
        insert(t.custom_field)
        .values(
            [
                {"shop_id": SHOP_ID, "key": "address", "label": "Địa chỉ", "type": "text"},
                {"shop_id": SHOP_ID, "key": "member_points", "label": "Điểm", "type": "number"},
                {"shop_id": SHOP_ID, "key": "birthday", "label": "Ngày sinh", "type": "date"},
            ]
        )
        .returning(t.custom_field.c.key, t.custom_field.c.id)
    )
    by_key = dict(fields.all())
    values = {
        "address": {"value_text": "182 Lê Đại Hành"},
        "member_points": {"value_number": Decimal("1250.00")},
        "birthday": {"value_date": date(1995, 2, 14)},
    }
    empty = {"value_text": None, "value_number": None, "value_date": None}
    await session.execute(
        insert(t.custom_field_value).values(
            [
                {"shop_id": SHOP_ID, "subscriber_id": ids[0], "field_id": by_key[key]}
                | empty
                | value
                for key, value in values.items()
            ]
        )
    )
    sequence = await session.scalar(
        insert(t.sequence).values(shop_id=SHOP_ID, name="Chăm sóc 24h").returning(t.sequence.c.id)
    )
    await session.execute(
        insert(t.sequence_enrolment).values(
            shop_id=SHOP_ID, sequence_id=sequence, subscriber_id=ids[0], enrolled_at=T0
        )
    )
    await session.flush()

    sql_statements.clear()
    body = await gql(PROFILES, {"first": 10})

    assert "errors" not in body, body
    nodes = body["data"]["subscribers"]["nodes"]
    assert len(nodes) == count
    first = nodes[-1]  # newest first: the subscriber with everything is the oldest
    assert first["fullName"] == "Phạm Thu 0"
    assert first["subscribed"] is True
    assert [r["ref"] for r in first["refLinks"]] == ["new-arrivals", "tet-sale"]
    assert first["otnTopics"] == [{"topic": "back-in-stock"}]
    assert first["customFields"] == [
        {"key": "address", "label": "Địa chỉ", "type": "text", "value": "182 Lê Đại Hành",
         "numberValue": None, "dateValue": None},
        {"key": "birthday", "label": "Ngày sinh", "type": "date", "value": "1995-02-14",
         "numberValue": None, "dateValue": "1995-02-14"},
        {"key": "member_points", "label": "Điểm", "type": "number", "value": "1250",
         "numberValue": "1250.00", "dateValue": None},
    ]  # fmt: skip
    assert [e["status"] for e in first["sequenceEnrolments"]] == ["RUNNING"]
    assert [th["page"]["name"] for th in first["threads"]] == ["Shop Hoa"]
    assert first["tags"] == [{"name": "Quan tâm 0"}]
    # token, page, then one batch each: tags, ref links, topics, fields, enrolments, threads, pages
    assert len(sql_statements) == 9, sql_statements.statements
