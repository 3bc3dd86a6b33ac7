"""Sequences and automation rules through GraphQL: validation, and a rule made here enrols (T5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from infra import tables as t
from tests.conftest import OTHER_SHOP_ID, GraphQL
from tests.factories import make_page, make_subscriber, make_tag

SEQUENCE_CREATE = """
mutation($input: SequenceCreateInput!) {
  sequenceCreate(input: $input) {
    sequence { id name steps { position delayMinutes message } }
    userErrors { field message code }
  }
}
"""
SEQUENCE_UPDATE = """
mutation($input: SequenceUpdateInput!) {
  sequenceUpdate(input: $input) {
    sequence { name steps { delayMinutes message } }
    userErrors { field message code }
  }
}
"""
SEQUENCE_DELETE = """
mutation($input: SequenceDeleteInput!) {
  sequenceDelete(input: $input) { deletedId stoppedEnrolments userErrors { field code } }
}
"""
RULE_CREATE = """
mutation($input: AutomationRuleCreateInput!) {
  automationRuleCreate(input: $input) {
    rule { id enabled tag { name } sequence { name } }
    userErrors { field message code }
  }
}
"""
RULE_UPDATE = """
mutation($input: AutomationRuleUpdateInput!) {
  automationRuleUpdate(input: $input) { rule { enabled } userErrors { field code } }
}
"""
RULE_DELETE = """
mutation($input: AutomationRuleDeleteInput!) {
  automationRuleDelete(input: $input) { deletedId userErrors { field code } }
}
"""
TAG_ADD = """
mutation($input: TaggingInput!) {
  tagAdd(input: $input) { changed userErrors { field message code } }
}
"""
ENROLMENTS = """
query($subscriber: ID!, $status: EnrolmentStatus) {
  sequenceEnrolments(subscriberId: $subscriber, status: $status, first: 10) {
    totalCount
    nodes {
      status enrolledAt sequence { name } subscriber { id } thread { id }
      scheduledSteps { position dueAt status }
    }
  }
}
"""
LISTS = """
query {
  sequences(first: 10) { totalCount nodes { name steps { delayMinutes } } }
  automationRules(first: 10) { totalCount nodes { enabled tag { name } sequence { name } } }
}
"""

STEPS = [
    {"delayMinutes": 0, "message": "Chào bạn, hàng đã về!"},
    {"delayMinutes": 120, "message": "Bạn còn quan tâm không?"},
    {"delayMinutes": 23 * 60, "message": "Ưu đãi cuối ngày"},
]


def gid(type_name: str, value: int) -> str:
    return to_base64(type_name, value)


async def count(session: AsyncSession, table: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def create_sequence(gql: GraphQL, name: str = "Hàng về") -> str:
    body = await gql(SEQUENCE_CREATE, {"input": {"name": name, "steps": STEPS}})
    payload = body["data"]["sequenceCreate"]
    assert payload["userErrors"] == []
    return str(payload["sequence"]["id"])


@pytest.mark.spec("T5")
async def test_create_a_sequence_with_ordered_steps_and_refuse_bad_ones(
    gql: GraphQL, session: AsyncSession
) -> None:
    body = await gql(SEQUENCE_CREATE, {"input": {"name": "  Hàng   về ", "steps": STEPS}})
    payload = body["data"]["sequenceCreate"]
    assert payload["userErrors"] == []
    assert payload["sequence"]["name"] == "Hàng về"
    assert [(s["position"], s["delayMinutes"]) for s in payload["sequence"]["steps"]] == [
        (0, 0),
        (1, 120),
        (2, 1380),
    ]

    bad = [
        ({"name": "Khác", "steps": []}, "input.steps", "INVALID"),
        (
            {"name": "Khác", "steps": [STEPS[1], STEPS[0]]},
            "input.steps.1.delayMinutes",
            "INVALID_RANGE",
        ),
        (
            {"name": "Khác", "steps": [{"delayMinutes": -1, "message": "x"}]},
            "input.steps.0.delayMinutes",
            "INVALID_RANGE",
        ),
        (
            {"name": "Khác", "steps": [{"delayMinutes": 0, "message": "  "}]},
            "input.steps.0.message",
            "INVALID",
        ),
        ({"name": "Hàng về", "steps": STEPS}, "input.name", "DUPLICATE"),
        ({"name": " ", "steps": STEPS}, "input.name", "INVALID"),
    ]
    for given, field, code in bad:
        errors = (await gql(SEQUENCE_CREATE, {"input": given}))["data"]["sequenceCreate"]
        assert errors["sequence"] is None
        assert [(e["field"], e["code"]) for e in errors["userErrors"]] == [(field, code)], given
    assert await count(session, t.sequence) == 1
    assert await count(session, t.sequence_step) == 3


@pytest.mark.spec("T5")
async def test_update_renames_and_replaces_steps(gql: GraphQL) -> None:
    sequence = await create_sequence(gql)
    body = await gql(
        SEQUENCE_UPDATE,
        {
            "input": {
                "id": sequence,
                "name": "Hàng về (mới)",
                "steps": [{"delayMinutes": 30, "message": "Một"}],
            }
        },
    )
    assert body["data"]["sequenceUpdate"] == {
        "sequence": {"name": "Hàng về (mới)", "steps": [{"delayMinutes": 30, "message": "Một"}]},
        "userErrors": [],
    }
    missing = await gql(SEQUENCE_UPDATE, {"input": {"id": gid("Sequence", 999999), "name": "X"}})
    assert missing["data"]["sequenceUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"
    wrong_type = await gql(SEQUENCE_UPDATE, {"input": {"id": gid("Tag", 1), "name": "X"}})
    assert wrong_type["data"]["sequenceUpdate"]["userErrors"][0]["field"] == "input.id"


@pytest.mark.spec("T5")
async def test_rules_check_the_tag_scope_and_existence(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session)
    social = await make_tag(session, page_id=page, name="Hết hàng")
    commerce = await make_tag(session, name="VIP")
    foreign = await make_tag(session, shop_id=OTHER_SHOP_ID, name="Khác")
    sequence = await create_sequence(gql)

    for tag, field, code in [
        (commerce, "input.tagId", "INVALID"),
        (foreign, "input.tagId", "NOT_FOUND"),
        (999999, "input.tagId", "NOT_FOUND"),
    ]:
        body = await gql(RULE_CREATE, {"input": {"tagId": gid("Tag", tag), "sequenceId": sequence}})
        payload = body["data"]["automationRuleCreate"]
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    unknown_sequence = await gql(
        RULE_CREATE,
        {"input": {"tagId": gid("Tag", social), "sequenceId": gid("Sequence", 999999)}},
    )
    assert unknown_sequence["data"]["automationRuleCreate"]["userErrors"][0]["field"] == (
        "input.sequenceId"
    )
    assert await count(session, t.automation_rule) == 0

    created = await gql(
        RULE_CREATE, {"input": {"tagId": gid("Tag", social), "sequenceId": sequence}}
    )
    assert created["data"]["automationRuleCreate"]["rule"]["tag"] == {"name": "Hết hàng"}
    twice = await gql(RULE_CREATE, {"input": {"tagId": gid("Tag", social), "sequenceId": sequence}})
    assert twice["data"]["automationRuleCreate"]["userErrors"][0]["code"] == "DUPLICATE"

    lists = (await gql(LISTS))["data"]
    assert lists["sequences"]["totalCount"] == 1
    assert lists["automationRules"]["nodes"] == [
        {"enabled": True, "tag": {"name": "Hết hàng"}, "sequence": {"name": "Hàng về"}}
    ]


@pytest.mark.spec("T5")
async def test_a_rule_made_through_the_api_enrols_and_shows_the_scheduled_steps(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    tag = await make_tag(session, page_id=page)
    sequence = await create_sequence(gql)
    rule = await gql(RULE_CREATE, {"input": {"tagId": gid("Tag", tag), "sequenceId": sequence}})
    rule_id = rule["data"]["automationRuleCreate"]["rule"]["id"]
    tagging = {"tagIds": [gid("Tag", tag)], "subscriberIds": [gid("Subscriber", person)]}

    disabled = await gql(RULE_UPDATE, {"input": {"id": rule_id, "enabled": False}})
    assert disabled["data"]["automationRuleUpdate"] == {
        "rule": {"enabled": False},
        "userErrors": [],
    }
    await gql(TAG_ADD, {"input": tagging})
    assert await count(session, t.sequence_enrolment) == 0

    await gql(RULE_UPDATE, {"input": {"id": rule_id, "enabled": True}})
    await gql(
        "mutation($input: TaggingInput!) { tagRemove(input: $input) { changed } }",
        {"input": tagging},
    )
    await gql(TAG_ADD, {"input": tagging})

    body = await gql(ENROLMENTS, {"subscriber": gid("Subscriber", person), "status": "RUNNING"})
    enrolments = body["data"]["sequenceEnrolments"]
    assert enrolments["totalCount"] == 1
    [enrolment] = enrolments["nodes"]
    assert enrolment["sequence"] == {"name": "Hàng về"}
    assert enrolment["subscriber"] == {"id": gid("Subscriber", person)}
    assert enrolment["thread"] is None
    assert [
        (s["position"], datetime.fromisoformat(s["dueAt"]), s["status"])
        for s in enrolment["scheduledSteps"]
    ] == [
        (0, now, "PENDING"),
        (1, now + timedelta(hours=2), "PENDING"),
        (2, now + timedelta(hours=23), "PENDING"),
    ]
    finished = await gql(
        ENROLMENTS, {"subscriber": gid("Subscriber", person), "status": "COMPLETED"}
    )
    assert finished["data"]["sequenceEnrolments"]["totalCount"] == 0
    bad = await gql(ENROLMENTS, {"subscriber": gid("Tag", tag)})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    in_use = await gql(SEQUENCE_DELETE, {"input": {"id": sequence}})
    assert in_use["data"]["sequenceDelete"]["userErrors"] == [
        {"field": "input.force", "code": "IN_USE"}
    ]
    assert await count(session, t.sequence) == 1
    forced = await gql(SEQUENCE_DELETE, {"input": {"id": sequence, "force": True}})
    assert forced["data"]["sequenceDelete"] == {
        "deletedId": sequence,
        "stoppedEnrolments": 1,
        "userErrors": [],
    }
    assert await count(session, t.automation_rule) == 0
    assert await count(session, t.scheduled_step) == 0

    gone = await gql(RULE_DELETE, {"input": {"id": rule_id}})
    assert gone["data"]["automationRuleDelete"]["userErrors"][0]["code"] == "NOT_FOUND"
