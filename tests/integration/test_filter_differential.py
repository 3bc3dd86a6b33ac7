"""The SQL compiler against a plain-Python evaluation of the same conditions (hypothesis).

Each example inserts a small generated data set inside a savepoint (NULLs, empty strings,
diacritics, LIKE wildcards, phones in every format, instants near midnight in several time
zones, birthdays around the new year), compiles a generated condition tree, and requires the
ids PostgreSQL returns to equal the ids the evaluator below computes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import filters as f
from domain.filters import Attr, Profile
from domain.period import Between, Last, Next, PeriodUnit, ThisMonth, day_bounds
from domain.phone import carrier_of, normalize_phone, normalize_phone_prefix
from domain.text import fold
from infra import tables as t
from infra.filter_sql import scope_for, where, whole_set
from tests.conftest import FIXED_NOW, SHOP_ID

TEXTS = [
    None,
    "",
    "Lê Đại Hành",
    "182 Lê Đại Hành",
    "le dai hanh",
    "Nguyễn Văn An",
    "VĂN",
    "a_b%c",
    "Đức",
]
NEEDLES = ["le", "Đại", "van", "182", "a_b", "%", "DUC", "an", "182 le dai hanh"]
PHONES = [
    None,
    "",
    "0123 456 7890",
    "+84 83 456 7891",
    "0981.345.678",
    "84-98-134-5678",
    "028 3822 1234",
]
PHONE_NEEDLES = ["0123", "083", "098", "+84 98", "0981345678", "345"]
ZONES = ["Asia/Ho_Chi_Minh", "UTC", "America/Los_Angeles"]
TAGS = ["Khách quen", "Hết hàng"]
SKUS = ["SKU-A", "SKU-B"]
TOPICS = ["Flash sale", "Hàng mới về"]
KEYS = {Attr.LAST_PURCHASE: "last_order_at", Attr.POINTS: "available"}

instants = st.one_of(
    st.none(),
    st.integers(-24 * 45, 24 * 40).map(lambda h: FIXED_NOW + timedelta(hours=h, minutes=30)),
)
# Birthdays cluster on the day before, of and after the days ranges start and end on, so an
# off-by-one at either end of a day-of-year range (or over the new year) changes the result.
ANCHORS = [(1, 1), (1, 10), (2, 28), (3, 1), (6, 15), (12, 20), (12, 31)]
birthdays = st.one_of(
    st.none(),
    st.just(date(2000, 2, 29)),
    st.builds(
        lambda anchor, shift, year: date(year, *anchor) + timedelta(days=shift),
        st.sampled_from(ANCHORS),
        st.integers(-1, 1),
        st.sampled_from([1970, 1990, 2000]),
    ),
)

member_st = st.fixed_dictionaries(
    {
        "tier": st.sampled_from([None, "gold", "silver"]),
        "points": st.sampled_from([0, 50, 100]),
        # Ledger entries: (kind, points, hours from now until they are available).
        "entries": st.lists(
            st.tuples(
                st.sampled_from(["earn", "spend"]),
                st.sampled_from([1, 50]),
                st.sampled_from([-1, 0, 1]),
            ),
            max_size=3,
        ),
        "member_since": instants.filter(lambda x: x is not None),
    }
)
subscriber_st = st.fixed_dictionaries(
    {
        "utm_campaign": st.sampled_from(TEXTS),
        "full_name": st.sampled_from(TEXTS),
        "topics": st.lists(st.sampled_from(TOPICS), unique=True, max_size=2),
        "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=2),
    }
)
customer_st = st.fixed_dictionaries(
    {
        "full_name": st.sampled_from(TEXTS),
        "address": st.sampled_from(TEXTS),
        "province": st.sampled_from([None, "", "Hà Nội", "Hồ Chí Minh"]),
        "phone": st.sampled_from(PHONES),
        "gender": st.sampled_from(["female", "male", "unknown"]),
        "orders_count": st.integers(0, 3),
        "total_spent": st.sampled_from([0, 100, 1000]),
        "birthday": birthdays,
        "channels": st.lists(st.sampled_from(["web", "pos", "zalo"]), unique=True, max_size=2),
        "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=2),
        "orders": st.lists(
            st.tuples(instants.filter(lambda x: x is not None), st.sampled_from(SKUS)), max_size=2
        ),
        "member": st.one_of(st.none(), member_st),
        "subscribers": st.lists(subscriber_st, max_size=2),
    }
).map(lambda c: {**c, "last_order_at": max((at for at, _ in c["orders"]), default=None)})
# A customer's last order time is the latest of its orders, as every write of orders keeps it.

periods = st.one_of(
    st.builds(Last, st.integers(1, 40), st.sampled_from(list(PeriodUnit))),
    st.builds(Next, st.integers(1, 10), st.sampled_from(list(PeriodUnit))),
    st.just(ThisMonth()),
    st.builds(
        lambda a, b: Between(*sorted([a, b])) if a and b else Between(a, b),
        st.one_of(st.none(), st.dates(date(2026, 9, 1), date(2026, 12, 31))),
        st.one_of(st.none(), st.dates(date(2026, 9, 1), date(2026, 12, 31))),
    ),
)
# Fractions and a bound beyond a 4-byte integer: integer columns are compared with whole numbers.
numbers = st.sampled_from(
    [
        Decimal(0),
        Decimal(1),
        Decimal(50),
        Decimal(100),
        Decimal(1000),
        Decimal("0.5"),
        Decimal("2.5"),
        Decimal(-1),
        Decimal(3_000_000_000),
    ]
)
ranges = st.builds(
    f.Range,
    st.one_of(st.none(), numbers),
    st.one_of(st.none(), numbers),
    st.booleans(),
    st.booleans(),
)
texts = st.one_of(
    st.builds(f.Text, st.sampled_from(list(f.TextOp)), st.sampled_from(NEEDLES)),
    st.builds(f.OneOf, st.lists(st.sampled_from(NEEDLES), max_size=3).map(tuple)),
)
month_days = st.one_of(st.sampled_from(ANCHORS), st.tuples(st.integers(1, 12), st.integers(1, 28)))
subscriber_leaves = st.one_of(
    st.builds(
        f.Compare,
        st.sampled_from([Attr.UTM_CAMPAIGN, Attr.FULL_NAME]),
        st.one_of(texts, st.just(f.Present())),
    ),
    st.builds(
        f.AnyOf,
        st.just(Attr.OTN_TOPIC),
        st.lists(st.sampled_from(["flash SALE", "Hang moi ve", "x"]), max_size=2).map(tuple),
    ),
    st.builds(
        f.AnyOf,
        st.sampled_from([Attr.CHAT_TAG, Attr.TAG]),
        st.lists(st.sampled_from(["khach quen", "HẾT HÀNG", "x"]), max_size=2).map(tuple),
    ),
)

customer_leaves = st.one_of(
    st.builds(
        f.Compare,
        st.sampled_from([Attr.FULL_NAME, Attr.ADDRESS, Attr.PROVINCE]),
        st.one_of(texts, st.just(f.Present())),
    ),
    st.builds(
        f.Compare,
        st.just(Attr.PHONE),
        st.one_of(
            st.builds(f.Text, st.sampled_from(list(f.TextOp)), st.sampled_from(PHONE_NEEDLES)),
            st.builds(f.OneOf, st.lists(st.sampled_from(PHONE_NEEDLES), max_size=3).map(tuple)),
            st.just(f.Present()),
        ),
    ),
    st.builds(f.Compare, st.sampled_from([Attr.ORDERS_COUNT, Attr.TOTAL_SPENT]), ranges),
    st.builds(
        f.Compare,
        st.just(Attr.LAST_PURCHASE),
        st.one_of(st.builds(f.Within, periods), st.just(f.Present())),
    ),
    st.builds(
        f.AnyOf,
        st.just(Attr.GENDER),
        st.lists(st.sampled_from(["female", "male"]), max_size=2).map(tuple),
    ),
    st.builds(
        f.AnyOf,
        st.just(Attr.CHANNEL),
        st.lists(st.sampled_from(["web", "zalo"]), max_size=2).map(tuple),
    ),
    st.builds(
        f.AnyOf,
        st.just(Attr.CARRIER),
        st.lists(st.sampled_from(["viettel", "vinaphone"]), max_size=2).map(tuple),
    ),
    st.builds(
        f.AnyOf,
        st.sampled_from([Attr.TAG, Attr.CUSTOMER_TAG]),
        st.lists(st.sampled_from(["khach quen", "HẾT HÀNG", "x"]), max_size=2).map(tuple),
    ),
    st.builds(
        f.AnyOf,
        st.just(Attr.PROVINCE),
        st.lists(st.sampled_from(["ha noi", "Hồ Chí Minh"]), max_size=2).map(tuple),
    ),
    st.builds(f.BirthdayMonth, st.integers(1, 12)),
    st.builds(f.BirthdayBetween, month_days, month_days),
    st.builds(
        f.Purchased,
        st.one_of(st.none(), periods),
        st.lists(st.sampled_from(SKUS), max_size=1).map(tuple),
    ),
    st.builds(
        f.Linked,
        st.just(Profile.MEMBER),
        st.one_of(
            st.just(f.Everyone()),
            st.builds(
                f.AnyOf,
                st.just(Attr.TIER),
                st.lists(st.sampled_from(["gold", "silver"]), max_size=2).map(tuple),
            ),
            st.builds(f.Compare, st.just(Attr.POINTS), ranges),
            st.builds(f.Compare, st.just(Attr.MEMBER_SINCE), st.builds(f.Within, periods)),
        ),
    ),
    st.builds(f.Linked, st.just(Profile.SUBSCRIBER), subscriber_leaves),
)


def _trees(leaves: st.SearchStrategy[f.Condition]) -> st.SearchStrategy[f.Condition]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(f.Not, inner),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: f.And(tuple(xs))),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: f.Or(tuple(xs))),
        ),
        max_leaves=6,
    )


conditions = _trees(customer_leaves)


# --- the independent evaluator ----------------------------------------------------------------


def _in_period(value: datetime | None, period: Any, zone: str) -> bool:
    if value is None:
        return False
    tz = ZoneInfo(zone)
    start, end = day_bounds(period, FIXED_NOW.astimezone(tz).date())
    day = value.astimezone(tz).date()
    return (start is None or day >= start) and (end is None or day < end)


def _text(value: str | None, match: f.Match, zone: str, phone: bool = False) -> bool:
    match match:
        case f.Present():
            return value is not None and value != ""
        case f.OneOf(values=values):
            return any(_text(value, f.Text(f.TextOp.EQUALS, v), zone, phone) for v in values)
        case f.Text(op=op, value=needle):
            if value is None:
                return False
            if phone and op is f.TextOp.CONTAINS:
                # The typed digits anywhere, or the fragment's normal form as a prefix.
                digits = "".join(ch for ch in needle if ch.isdigit())
                return digits in value or value.startswith(normalize_phone_prefix(needle))
            if phone:
                target = {
                    f.TextOp.EQUALS: normalize_phone(needle),
                    f.TextOp.STARTS_WITH: normalize_phone_prefix(needle),
                }[op]
                assert target is not None
            else:
                value, target = fold(value), fold(needle)
            if op is f.TextOp.EQUALS:
                return value == target
            return value.startswith(target) if op is f.TextOp.STARTS_WITH else target in value
        case f.Within(period=period):
            return _in_period(value, period, zone)  # type: ignore[arg-type]
        case f.Range():
            return _in_range(value, match)  # type: ignore[arg-type]
    raise AssertionError(match)


def _in_range(value: int | None, r: f.Range) -> bool:
    if value is None:
        return False
    if r.minimum is not None and (value <= r.minimum if r.min_exclusive else value < r.minimum):
        return False
    return not (
        r.maximum is not None and (value >= r.maximum if r.max_exclusive else value > r.maximum)
    )


def _day_key(d: date) -> int:
    return d.month * 100 + d.day


def evaluate(node: f.Condition, rec: dict[str, Any], zone: str) -> bool:
    match node:
        case f.And(items=items):
            return all(evaluate(i, rec, zone) for i in items)
        case f.Or(items=items):
            return any(evaluate(i, rec, zone) for i in items)
        case f.Not(item=item):
            return not evaluate(item, rec, zone)
        case f.Everyone():
            return True
        case f.Linked(profile=Profile.MEMBER, condition=inner):
            return rec["member"] is not None and evaluate(inner, rec["member"], zone)
        case f.Linked(profile=Profile.SUBSCRIBER, condition=inner):
            return any(evaluate(inner, s, zone) for s in rec["subscribers"])
        case f.Compare(attr=Attr.PHONE, match=m):
            return _text(rec["phone_normalized"], m, zone, phone=True)
        case f.Compare(attr=attr, match=m):
            return _text(rec[KEYS.get(attr, attr.value)], m, zone)
        case f.AnyOf(attr=Attr.CHANNEL, values=values):
            return bool(set(rec["channels"]) & set(values))
        case f.AnyOf(attr=Attr.TAG | Attr.CHAT_TAG | Attr.CUSTOMER_TAG, values=values):
            return bool({fold(x) for x in rec["tags"]} & {fold(v) for v in values})
        case f.AnyOf(attr=Attr.OTN_TOPIC, values=values):
            return bool({fold(x) for x in rec["topics"]} & {fold(v) for v in values})
        case f.AnyOf(attr=Attr.PROVINCE, values=values):
            return rec["province"] is not None and fold(rec["province"]) in {
                fold(v) for v in values
            }
        case f.AnyOf(attr=attr, values=values):
            return rec[attr.value] in values
        case f.BirthdayMonth(month=month):
            return rec["birthday"] is not None and rec["birthday"].month == month
        case f.BirthdayBetween(start=start, end=end):
            b = rec["birthday"]
            if b is None:
                return False
            key, lo, hi = _day_key(b), start[0] * 100 + start[1], end[0] * 100 + end[1]
            return lo <= key <= hi if lo <= hi else (key >= lo or key <= hi)
        case f.Purchased(period=period, skus=skus):
            return any(
                (period is None or _in_period(at, period, zone)) and (not skus or sku in skus)
                for at, sku in rec["orders"]
            )
    raise AssertionError(node)


# --- inserting a data set ---------------------------------------------------------------------


async def matching(connection: AsyncConnection, condition: f.Condition, zone: str) -> set[int]:
    """The customers ``condition`` selects, read with the clause of a page and counted with the
    whole-set form of a count (and, for one condition on other rows, with the keys those rows
    hold), each with searched text written as a pattern and for a read of every row
    (``Scope.scanned``): all must select the same rows, each once."""
    mine = t.customer.c.shop_id == SHOP_ID
    found: set[int] = set()
    for scanned in (False, True):
        scope = scope_for(Profile.CUSTOMER, SHOP_ID, FIXED_NOW, zone, scanned=scanned)
        query = select(t.customer.c.id).where(mine, where(condition, scope))
        rows = [r[0] for r in await connection.execute(query)]
        found = found if scanned else set(rows)  # the page's clause with the pattern
        assert sorted(rows) == sorted(found), (condition, scanned)
        whole = whole_set(condition, scope)
        counted = select(t.customer.c.id).select_from(whole.select_from(t.customer))
        rows = [r[0] for r in await connection.execute(counted.where(mine, whole.clause))]
        assert sorted(rows) == sorted(found), (condition, whole.joins, scanned)
        if whole.keys is not None:  # one condition on other rows: its keys, counted alone
            keys = [r[0] for r in await connection.execute(select(whole.keys.c.key))]
            assert sorted(keys) == sorted(found), (condition, "keys", scanned)
    return found


async def _insert(conn: AsyncConnection, table: Any, **values: Any) -> int:
    return int(
        (
            await conn.execute(
                insert(table).values(shop_id=SHOP_ID, **values).returning(table.c.id)
            )
        ).scalar_one()
    )


async def load(conn: AsyncConnection, customers: list[dict[str, Any]]) -> list[int]:
    tags = {name: await _insert(conn, t.tag, name=name) for name in TAGS}
    products = {sku: await _insert(conn, t.product, sku=sku, name=sku) for sku in SKUS}
    page = await _insert(conn, t.page, channel="facebook", external_id="p", name="p")
    ids = []
    for n, c in enumerate(customers):
        c["phone_normalized"] = normalize_phone(c["phone"])
        cid = await _insert(
            conn,
            t.customer,
            **{
                k: c[k]
                for k in (
                    "full_name",
                    "address",
                    "province",
                    "phone",
                    "phone_normalized",
                    "gender",
                    "orders_count",
                    "total_spent",
                    "last_order_at",
                    "birthday",
                    "channels",
                )
            },
            carrier=carrier_of(c["phone_normalized"]),
        )
        c["carrier"] = carrier_of(c["phone_normalized"])
        ids.append(cid)
        for name in c["tags"]:
            await conn.execute(
                insert(t.customer_tag).values(shop_id=SHOP_ID, customer_id=cid, tag_id=tags[name])
            )
        for at, sku in c["orders"]:
            oid = await _insert(
                conn, t.order, customer_id=cid, channel="web", placed_at=at, total_amount=1
            )
            await _insert(
                conn, t.order_line, order_id=oid, product_id=products[sku], quantity=1, amount=1
            )
        if c["member"] is not None:
            m = c["member"]
            m["available"] = m["points"] - sum(
                points for kind, points, hours in m["entries"] if kind == "earn" and hours > 0
            )
            earned = [hours for kind, _, hours in m["entries"] if kind == "earn"]
            mid = await _insert(
                conn,
                t.member,
                customer_id=cid,
                member_code=f"M{n}",
                tier=m["tier"],
                points_balance=m["points"],
                member_since=m["member_since"],
                # as every write of the ledger keeps it: the latest earned entry's availability
                points_pending_until=FIXED_NOW + timedelta(hours=max(earned)) if earned else None,
            )
            for kind, points, hours in m["entries"]:
                at = FIXED_NOW + timedelta(hours=hours)
                await _insert(
                    conn,
                    t.point_entry,
                    member_id=mid,
                    kind=kind,
                    points=points,
                    occurred_at=at,
                    available_at=at,
                )
        for i, s in enumerate(c["subscribers"]):
            sid = await _insert(
                conn,
                t.subscriber,
                page_id=page,
                platform_user_id=f"{n}-{i}",
                customer_id=cid,
                utm_campaign=s["utm_campaign"],
                full_name=s["full_name"],
            )
            for topic in s["topics"]:
                await conn.execute(
                    insert(t.otn_subscription).values(
                        shop_id=SHOP_ID, subscriber_id=sid, topic=topic
                    )
                )
            for name in s["tags"]:
                await conn.execute(
                    insert(t.subscriber_tag).values(
                        shop_id=SHOP_ID, subscriber_id=sid, tag_id=tags[name]
                    )
                )
    return ids


@pytest.mark.spec("G1", "S7", "S8", "X2")
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    customers=st.lists(customer_st, min_size=1, max_size=6),
    trees=st.lists(conditions, min_size=1, max_size=10),
    zone=st.sampled_from(ZONES),
)
async def test_sql_matches_python_evaluation(
    connection: AsyncConnection,
    shop: int,
    customers: list[dict[str, Any]],
    trees: list[f.Condition],
    zone: str,
) -> None:
    savepoint = await connection.begin_nested()
    try:
        ids = await load(connection, customers)
        for condition in trees:
            found = await matching(connection, condition, zone)
            expected = {
                i for i, c in zip(ids, customers, strict=True) if evaluate(condition, c, zone)
            }
            assert found == expected, condition
    finally:
        await savepoint.rollback()


birthday_conditions = st.one_of(
    st.builds(f.BirthdayMonth, st.integers(1, 12)),
    st.builds(f.BirthdayBetween, month_days, month_days),
    st.builds(f.Not, st.builds(f.BirthdayBetween, month_days, month_days)),
)


@pytest.mark.spec("G2")
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    born=st.lists(birthdays, min_size=8, max_size=30),
    trees=st.lists(birthday_conditions, min_size=1, max_size=8),
)
async def test_birthday_ranges_match_python_evaluation(
    connection: AsyncConnection, shop: int, born: list[date | None], trees: list[f.Condition]
) -> None:
    """Dense birthdays around the range ends: an off-by-one at either end fails here."""
    savepoint = await connection.begin_nested()
    try:
        ids = [await _insert(connection, t.customer, birthday=b) for b in born]
        for condition in trees:
            found = await matching(connection, condition, "UTC")
            expected = {
                i
                for i, b in zip(ids, born, strict=True)
                if evaluate(condition, {"birthday": b}, "UTC")
            }
            assert found == expected, (condition, born)
    finally:
        await savepoint.rollback()


linked_customers = st.builds(
    lambda customer, member, subscribers: {
        **customer,
        "member": member,
        "subscribers": subscribers,
    },
    customer_st,
    st.one_of(st.none(), member_st),
    st.lists(subscriber_st, min_size=1, max_size=3),
)
linked_conditions = _trees(
    st.one_of(
        st.builds(
            f.Linked,
            st.just(Profile.MEMBER),
            st.builds(f.Compare, st.just(Attr.POINTS), ranges),
        ),
        st.builds(f.Linked, st.just(Profile.SUBSCRIBER), subscriber_leaves),
    )
)


@pytest.mark.spec("L4", "L5", "X1")
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    customers=st.lists(linked_customers, min_size=3, max_size=8),
    trees=st.lists(linked_conditions, min_size=1, max_size=8),
)
async def test_linked_profiles_match_python_evaluation(
    connection: AsyncConnection,
    shop: int,
    customers: list[dict[str, Any]],
    trees: list[f.Condition],
) -> None:
    """Members with ledgers and several subscribers each: points still pending, and conditions
    on one linked profile combined by and / or / not, are checked densely here."""
    savepoint = await connection.begin_nested()
    try:
        ids = await load(connection, customers)
        for condition in trees:
            found = await matching(connection, condition, "UTC")
            expected = {
                i for i, c in zip(ids, customers, strict=True) if evaluate(condition, c, "UTC")
            }
            assert found == expected, condition
    finally:
        await savepoint.rollback()
