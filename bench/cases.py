"""The benchmark's filter cases: each as the service's `ProfileFilter` (or a segment definition)
and as the closest PostGraphile connection-filter expression.

Relative periods are sent to the service as such ("last 30 days"); PostGraphile has no notion
of them, so its filters get the same instants, computed here with the service's own period code
for the shop's time zone at the start of the run.
"""

from __future__ import annotations

from base64 import b64decode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.period import Last, PeriodUnit, ThisMonth, instant_bounds
from infra.seed.contact import phone_number, seed_offset, written

Json = dict[str, Any]

PAGE_FIELDS = "id fullName phone email ordersCount totalSpent lastOrderAt tags { name }"

PAGE = f"""
query BenchPage($filter: ProfileFilter) {{
  customers(first: 50, filter: $filter) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {PAGE_FIELDS} }}
  }}
}}
"""

COUNT = """
query BenchCount($filter: ProfileFilter) {
  customers(filter: $filter) { totalCount }
}
"""

GROUP_PAGE = f"""
query BenchGroupPage($definition: GroupInput!) {{
  segmentPreview(definition: $definition, first: 50) {{ members {{ {PAGE_FIELDS} }} }}
}}
"""

GROUP_COUNT = """
query BenchGroupCount($definition: GroupInput!) {
  segmentPreview(definition: $definition, first: 0) { count }
}
"""

GROUP_PARTS = """
query BenchGroupParts($definition: GroupInput!) {
  segmentPreview(definition: $definition, first: 0) {
    conditions { field count }
    exclusions { field count }
  }
}
"""

PEER_PAGE = """
query PeerPage($shop: BigInt!, $filter: CustomerFilter) {
  allCustomers(first: 50, condition: {shopId: $shop}, filter: $filter,
               orderBy: PRIMARY_KEY_DESC) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id fullName phone email ordersCount totalSpent lastOrderAt
      customerTagsByShopIdAndCustomerId { nodes { tagByShopIdAndTagId { name } } }
    }
  }
}
"""


@dataclass(frozen=True)
class Clock:
    """The instant and time zone the peer's absolute bounds are computed for."""

    now: datetime
    timezone: str

    def last(self, amount: int, unit: PeriodUnit = PeriodUnit.DAYS) -> Json:
        start, end = instant_bounds(Last(amount, unit), self.now, self.timezone)
        return {"greaterThanOrEqualTo": _iso(start), "lessThan": _iso(end)}

    def this_month(self) -> Json:
        start, end = instant_bounds(ThisMonth(), self.now, self.timezone)
        return {"greaterThanOrEqualTo": _iso(start), "lessThan": _iso(end)}


def _iso(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Case:
    """One filter: the service's input, the peer's filter, and what the peer cannot say."""

    name: str
    covers: str
    service: Json
    peer: Callable[[Clock], Json]
    group: bool = False
    peer_note: str = ""
    same_on_peer: bool = True
    """False when the peer cannot express the condition and runs a looser or different one
    instead (exact values where the service folds, SQL's NOT); such cases stay out of the
    throughput mix, which compares the same work on both sides. For the others the bench says
    which first pages are not the same customers on both sides."""

    def variables(self) -> Json:
        return {"definition": self.service} if self.group else {"filter": self.service}

    def page_query(self) -> str:
        return GROUP_PAGE if self.group else PAGE

    def count_query(self) -> str:
        return GROUP_COUNT if self.group else COUNT

    def parts_query(self) -> str | None:
        """A group's per-part counts (each include condition alone, each exclude block's
        removals), as a segment builder asks for them; a plain filter has none."""
        return GROUP_PARTS if self.group else None


def _days(n: int) -> Json:
    return {"last": {"amount": n, "unit": "DAYS"}}


def _months(n: int) -> Json:
    return {"last": {"amount": n, "unit": "MONTHS"}}


MEMBER = "memberByShopIdAndCustomerId"
TAGS = "customerTagsByShopIdAndCustomerId"
ORDERS = "ordersByShopIdAndCustomerId"
SUBSCRIBERS = "subscribersByShopIdAndCustomerId"


def _tagged(*folded: str) -> Json:
    return {TAGS: {"some": {"tagByShopIdAndTagId": {"nameFolded": {"in": list(folded)}}}}}


def _pasted_phones(count: int = 1_000, seed: int = 42) -> tuple[list[str], list[str]]:
    """The numbers of ``count`` customers spread over the bench's shop (seeded with ``seed``,
    the bench's default) as people type them, and their normal forms: a list pasted from a
    spreadsheet. About nine in ten are customers' numbers; the rest belong to no one."""
    offset = seed_offset(seed)
    normal = [phone_number(offset, k * 997, customer=True) for k in range(count)]
    return [written(n, k * 0.618 % 1) for k, n in enumerate(normal)], normal


_TYPED, _NORMAL = _pasted_phones()

CASES: tuple[Case, ...] = (
    Case(
        "name_contains_van",
        "text contains, diacritics-insensitive (van finds Văn, Vân)",
        {"fullName": {"contains": "van"}},
        lambda c: {"fullNameFolded": {"includes": "van"}},
        peer_note="on the stored folded column (the peer cannot fold its input)",
    ),
    Case(
        "phone_old_prefix_0123",
        "phone starts with an old 11-digit prefix (0123 = 083)",
        {"phone": {"startsWith": "0123"}},
        lambda c: {"phoneNormalized": {"startsWith": "083"}},
        peer_note="given the already renumbered prefix 083",
    ),
    Case(
        "phone_list_1000",
        "a pasted list: phone any of 1,000 numbers typed in mixed formats",
        {"phone": {"anyOf": _TYPED}},
        lambda c: {"phoneNormalized": {"in": _NORMAL}},
        peer_note="given the numbers already normalised",
    ),
    Case(
        "carrier_female_viettel",
        "carrier and gender sets",
        {"carrier": {"anyOf": ["viettel"]}, "gender": {"anyOf": ["female"]}},
        lambda c: {"carrier": {"in": ["viettel"]}, "gender": {"in": ["female"]}},
    ),
    Case(
        "tier_gold_diamond_social_channel",
        "tier set (member) and purchase channel set",
        {"tier": {"anyOf": ["gold", "diamond"]}, "channel": {"anyOf": ["facebook", "zalo"]}},
        lambda c: {
            MEMBER: {"tier": {"in": ["gold", "diamond"]}},
            "channels": {"overlaps": ["facebook", "zalo"]},
        },
    ),
    Case(
        "orders_3_to_10_spent_2m",
        "number ranges: orders count and total spent",
        {"ordersCount": {"min": 3, "max": 10}, "totalSpent": {"min": 2000000}},
        lambda c: {
            "ordersCount": {"greaterThanOrEqualTo": 3, "lessThanOrEqualTo": 10},
            "totalSpent": {"greaterThanOrEqualTo": "2000000"},
        },
    ),
    Case(
        "points_500_to_5000",
        "number range on the member's points",
        {"points": {"min": 500, "max": 5000}},
        lambda c: {
            MEMBER: {"pointsBalance": {"greaterThanOrEqualTo": 500, "lessThanOrEqualTo": 5000}}
        },
        peer_note="the balance: the service counts available points, without those pending",
        same_on_peer=False,
    ),
    Case(
        "purchased_last_30_days",
        "relative period: purchased in the last 30 days",
        {"purchased": {"period": _days(30)}},
        lambda c: {ORDERS: {"some": {"placedAt": c.last(30)}}},
    ),
    Case(
        "repeat_buyers_lapsed_90_days",
        "did not purchase in the last 90 days, with at least 2 orders",
        {"notPurchased": _days(90), "ordersCount": {"min": 2}},
        lambda c: {
            ORDERS: {"none": {"placedAt": c.last(90)}},
            "ordersCount": {"greaterThanOrEqualTo": 2},
        },
    ),
    Case(
        "birthday_this_month_members",
        "birthday month, registered members",
        {"birthday": {"month": 11}, "registeredMember": True},
        lambda c: {
            f"{MEMBER}Exists": True,
            "birthdayKey": {"greaterThanOrEqualTo": 1101, "lessThanOrEqualTo": 1131},
        },
        peer_note="on the stored month-and-day key (the peer has no month-of-date operator)",
    ),
    Case(
        "birthday_wraps_new_year_hcm",
        "birthday day range wrapping the new year (12-20 to 01-10), province",
        {
            "birthday": {"from": {"month": 12, "day": 20}, "to": {"month": 1, "day": 10}},
            "province": {"equals": "Hồ Chí Minh"},
        },
        lambda c: {
            "or": [
                {"birthdayKey": {"greaterThanOrEqualTo": 1220}},
                {"birthdayKey": {"lessThanOrEqualTo": 110}},
            ],
            "provinceFolded": {"equalTo": "ho chi minh"},
        },
        peer_note="on the stored month-and-day key and folded province",
    ),
    Case(
        "region_hanoi_danang",
        "region: province or district in a set",
        {"region": {"anyOf": ["Hà Nội", "Đà Nẵng"]}},
        lambda c: {
            "or": [
                {"provinceFolded": {"in": ["ha noi", "da nang"]}},
                {"districtFolded": {"in": ["ha noi", "da nang"]}},
            ]
        },
        peer_note="on the stored folded columns",
    ),
    Case(
        "tag_vip_or_loyal",
        "tags: any of",
        {"tag": {"anyOf": ["VIP", "Khách thân thiết"]}},
        lambda c: _tagged("vip", "khach than thiet"),
    ),
    Case(
        "bought_handbag_or_perfume_6_months",
        "products purchased within a period",
        {"purchased": {"products": ["TXD018-DEN", "NHN026-DEN"], "period": _months(6)}},
        lambda c: {
            ORDERS: {
                "some": {
                    "placedAt": c.last(6, PeriodUnit.MONTHS),
                    "orderLinesByShopIdAndOrderId": {
                        "some": {
                            "productByShopIdAndProductId": {
                                "sku": {"in": ["TXD018-DEN", "NHN026-DEN"]}
                            }
                        }
                    },
                }
            }
        },
    ),
    Case(
        "freeship_used_3_months",
        "loyalty offer used within a period",
        {"loyaltyOfferUsed": {"offers": ["FREESHIP"], "period": _months(3)}},
        lambda c: {
            MEMBER: {
                "offerUsesByShopIdAndMemberId": {
                    "some": {
                        "offerCode": {"equalTo": "FREESHIP"},
                        "usedAt": c.last(3, PeriodUnit.MONTHS),
                    }
                }
            }
        },
    ),
    Case(
        "members_since_this_month",
        "member since (relative period: this month)",
        {"memberSince": {"thisMonth": True}},
        lambda c: {MEMBER: {"memberSince": c.this_month()}},
    ),
    Case(
        "utm_sale_11_11_or_flash_sale_topic",
        "cross-profile subscriber attributes: utm campaign or OTN topic",
        {
            "or": [
                {"utmCampaign": {"equals": "sale-11-11"}},
                {"otnTopic": {"anyOf": ["Flash sale"]}},
            ]
        },
        lambda c: {
            SUBSCRIBERS: {
                "some": {
                    "or": [
                        {"utmCampaign": {"equalTo": "sale-11-11"}},
                        {
                            "otnSubscriptionsByShopIdAndSubscriberId": {
                                "some": {"topic": {"equalTo": "Flash sale"}}
                            }
                        },
                    ]
                }
            }
        },
        peer_note="exact values (the service folds case and diacritics)",
        same_on_peer=False,
    ),
    Case(
        "nested_and_or_not",
        "and / or / not nesting",
        {
            "fullName": {"contains": "nguyen"},
            "or": [{"tag": {"anyOf": ["VIP"]}}, {"totalSpent": {"min": 10000000}}],
            "not": {"carrier": {"anyOf": ["viettel"]}},
        },
        lambda c: {
            "fullNameFolded": {"includes": "nguyen"},
            "or": [_tagged("vip"), {"totalSpent": {"greaterThanOrEqualTo": "10000000"}}],
            "not": {"carrier": {"equalTo": "viettel"}},
        },
        peer_note="the peer's not keeps customers without a carrier out (SQL NOT on NULL)",
        same_on_peer=False,
    ),
    Case(
        "segment_include_exclude",
        "include / exclude group through segmentPreview",
        {
            "include": [
                {"tier": {"anyOf": ["gold"]}},
                {"ordersCount": {"min": 5}, "channel": {"anyOf": ["web"]}},
            ],
            "exclude": [{"tag": {"anyOf": ["Hay đổi trả"]}}, {"hasNoPhone": True}],
        },
        lambda c: {
            "and": [
                {
                    "or": [
                        {MEMBER: {"tier": {"equalTo": "gold"}}},
                        {
                            "ordersCount": {"greaterThanOrEqualTo": 5},
                            "channels": {"contains": ["web"]},
                        },
                    ]
                },
                {"not": _tagged("hay doi tra")},
                {"phoneNormalized": {"isNull": False}},
            ]
        },
        group=True,
        peer_note="a plain filter; the service's preview also counts each condition alone",
    ),
)


def page_ids(data: Json) -> list[int]:
    """The customer ids of a service page, in order (from their global ids)."""
    return [int(b64decode(n["id"]).decode().split(":")[1]) for n in data["customers"]["nodes"]]


def peer_page_ids(data: Json) -> list[int]:
    return [int(n["id"]) for n in data["allCustomers"]["nodes"]]


def by_name(names: list[str] | None) -> tuple[Case, ...]:
    if not names:
        return CASES
    return tuple(c for c in CASES if c.name in names)
