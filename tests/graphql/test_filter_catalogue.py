"""The filter catalogue: every ProfileFilter field, its operators, labels and suggestions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.filter_catalogue import OPERATOR_LABELS, OPERATORS, FieldKind
from graph.filters.catalogue import INPUT_TYPES
from graph.schema import schema
from infra import tables as t
from tests.conftest import GraphQL
from tests.factories import make_customer, make_page, make_subscriber, make_tag

CATALOGUE = """
query Catalogue($list: ListKind!) {
  filterCatalogue(list: $list) {
    list
    attributes {
      field kind inputType operators labelVi labelEn profiles linked
      operatorLabels { name labelVi labelEn }
      suggestions { value label }
    }
    customFields { key label type condition operators operatorLabels { name } }
  }
}
"""

COMBINATORS = {"and", "or", "not"}


def _input_fields(type_name: str) -> set[str]:
    found = schema._schema.get_type(type_name)
    assert found is not None, type_name
    return set(found.fields)  # type: ignore[union-attr]


async def _catalogue(gql: GraphQL, kind: str) -> dict[str, Any]:
    body = await gql(CATALOGUE, {"list": kind})
    assert "errors" not in body, body
    return dict(body["data"]["filterCatalogue"])


@pytest.mark.spec("S6", "G2", "L5")
async def test_catalogue_lists_every_filter_field_and_only_them(gql: GraphQL, shop: int) -> None:
    catalogue = await _catalogue(gql, "CUSTOMERS")
    listed = {a["field"] for a in catalogue["attributes"]}
    assert listed == _input_fields("ProfileFilter") - COMBINATORS
    assert len(listed) == len(catalogue["attributes"])
    for attribute in catalogue["attributes"]:
        assert attribute["labelVi"], attribute
        assert attribute["labelEn"], attribute
        if attribute["inputType"] == "Boolean":
            assert attribute["operators"] == []
        else:
            assert set(attribute["operators"]) == _input_fields(attribute["inputType"]), attribute
        labelled = attribute["operatorLabels"]
        assert [o["name"] for o in labelled] == attribute["operators"]
        assert all(o["labelVi"] and o["labelEn"] for o in labelled), attribute
    assert set(INPUT_TYPES) == set(FieldKind)
    assert set(OPERATOR_LABELS) == {op for ops in OPERATORS.values() for op in ops}


@pytest.mark.spec("S8")
async def test_operators_are_named_in_the_products_words(gql: GraphQL, shop: int) -> None:
    """The seed's names of the text operators, for a builder UI to show."""
    catalogue = await _catalogue(gql, "CUSTOMERS")
    phone = next(a for a in catalogue["attributes"] if a["field"] == "phone")
    named = {o["name"]: (o["labelVi"], o["labelEn"]) for o in phone["operatorLabels"]}
    assert named["equals"] == ("Bằng", "Equals")
    assert named["notEquals"] == ("Không bằng", "Does not equal")
    assert named["contains"] == ("Có chứa", "Contains")
    assert named["notContains"] == ("Không chứa", "Does not contain")
    assert named["startsWith"] == ("Bắt đầu với", "Starts with")
    assert named["anyOf"] == ("Là một trong", "Is any of")
    assert named["hasValue"] == ("Có / không có giá trị", "Has a value / has none")


@pytest.mark.spec("S6", "X1")
async def test_linked_attributes_per_list(gql: GraphQL, shop: int) -> None:
    by_list = {
        kind: {a["field"]: a for a in (await _catalogue(gql, kind))["attributes"]}
        for kind in ("CUSTOMERS", "MEMBERS", "SUBSCRIBERS")
    }
    assert by_list["CUSTOMERS"]["otnTopic"]["linked"] is True
    assert by_list["CUSTOMERS"]["totalSpent"]["linked"] is False
    assert by_list["CUSTOMERS"]["tier"]["linked"] is True
    assert by_list["MEMBERS"]["tier"]["linked"] is False
    assert by_list["MEMBERS"]["totalSpent"]["linked"] is False
    assert by_list["SUBSCRIBERS"]["totalSpent"]["linked"] is True
    assert by_list["SUBSCRIBERS"]["utmCampaign"]["linked"] is False
    assert by_list["SUBSCRIBERS"]["fullName"]["profiles"] == ["CUSTOMER", "SUBSCRIBER"]
    assert by_list["CUSTOMERS"]["chatTag"]["linked"] is True
    assert by_list["SUBSCRIBERS"]["chatTag"]["linked"] is False
    assert by_list["SUBSCRIBERS"]["customerTag"]["linked"] is True
    assert by_list["CUSTOMERS"]["customerTag"]["labelVi"] == "Thẻ khách hàng"


@pytest.mark.spec("S6", "G2", "X2")
async def test_a_province_written_two_ways_is_suggested_once(
    gql: GraphQL, session: AsyncSession
) -> None:
    await make_customer(session, province="Hồ Chí Minh")
    await make_customer(session, province="HO CHI MINH")
    await make_customer(session, province="Bình Dương")

    catalogue = await _catalogue(gql, "CUSTOMERS")
    province = next(a for a in catalogue["attributes"] if a["field"] == "province")
    values = [s["value"] for s in province["suggestions"]]
    assert len(values) == 2
    assert values[0] == "Bình Dương"
    assert values[1] in ("Hồ Chí Minh", "HO CHI MINH")


@pytest.mark.spec("S6", "G2")
async def test_suggestions_come_from_the_shop_data(gql: GraphQL, session: AsyncSession) -> None:
    await make_tag(session, name="Khách quen")
    await make_customer(session, province="Hà Nội")
    await make_customer(session, province="Hà Nội")
    await make_customer(session, province="Đà Nẵng")
    await make_customer(session, province="")
    await make_customer(session, province=None)
    await make_customer(session, province="Cần Thơ", shop_id=2)
    await session.execute(
        insert(t.loyalty_tier).values(
            [
                {"shop_id": 1, "code": "gold", "name": "Vàng", "rank": 2},
                {"shop_id": 1, "code": "silver", "name": "Bạc", "rank": 1},
            ]
        )
    )
    await session.execute(
        insert(t.custom_field).values(
            [
                {"shop_id": 1, "key": "industry", "label": "Ngành", "type": "text"},
                {"shop_id": 1, "key": "member_points", "label": "Điểm", "type": "number"},
            ]
        )
    )
    page = await make_page(session)
    await make_tag(session, name="Hỏi giá", page_id=page)
    sub = await make_subscriber(session, page_id=page)
    await session.execute(
        insert(t.otn_subscription).values(shop_id=1, subscriber_id=sub, topic="Giảm giá")
    )

    catalogue = await _catalogue(gql, "CUSTOMERS")
    attrs = {a["field"]: a for a in catalogue["attributes"]}

    def values(field: str) -> list[str]:
        return [s["value"] for s in attrs[field]["suggestions"]]

    assert values("tag") == ["Khách quen"]
    assert values("customerTag") == ["Khách quen"]
    assert values("chatTag") == ["Hỏi giá"]
    # The subscriber list's own tags are its pages' tags.
    subscribers = await _catalogue(gql, "SUBSCRIBERS")
    assert [
        s["value"]
        for a in subscribers["attributes"]
        if a["field"] == "tag"
        for s in a["suggestions"]
    ] == ["Hỏi giá"]
    assert values("tier") == ["silver", "gold"]
    # A to Z ignoring diacritics (đ as d); none empty; none of another shop.
    assert values("province") == ["Đà Nẵng", "Hà Nội"]
    assert values("region") == ["Đà Nẵng", "Hà Nội"]
    assert values("otnTopic") == ["Giảm giá"]
    assert values("customField") == ["industry", "member_points"]
    assert "viettel" in values("carrier")
    assert set(values("gender")) == {"female", "male", "unknown"}
    assert "shopee" in values("channel")
    assert attrs["fullName"]["suggestions"] is None
    assert catalogue["customFields"] == [
        {
            "key": "industry",
            "label": "Ngành",
            "type": "text",
            "condition": "text",
            "operators": sorted(_input_fields("TextFilter"), key=attrs["email"]["operators"].index),
            "operatorLabels": [{"name": o} for o in attrs["email"]["operators"]],
        },
        {
            "key": "member_points",
            "label": "Điểm",
            "type": "number",
            "condition": "number",
            "operators": attrs["ordersCount"]["operators"],
            "operatorLabels": [{"name": o} for o in attrs["ordersCount"]["operators"]],
        },
    ]
