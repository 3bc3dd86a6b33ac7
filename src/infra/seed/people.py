"""Commerce customers of one chunk: who they are, what they ordered, and their loyalty records.

The customer aggregates (orders_count, total_spent, last_order_at, channels) and the member
points (balance and used) are computed here from the very rows generated, so they always
equal what the orders and the points ledger say.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from infra.seed import contact, vietnam
from infra.seed.catalog import CHUNK_SIZE, DAY, HOUR, SECOND, Catalog, Row, Uniform, lookup
from infra.tables import CHANNELS

_FAMILIES = lookup(tuple(vietnam.FAMILY_NAMES), tuple(vietnam.FAMILY_NAMES.values()))
_PROVINCES = lookup(tuple(vietnam.PROVINCE_WEIGHTS), tuple(vietnam.PROVINCE_WEIGHTS.values()))
_PLACES = {p: tuple(vietnam.PLACES[p].items()) for p in vietnam.PROVINCE_WEIGHTS}
_CHANNELS = lookup(CHANNELS, (30, 25, 18, 6, 8, 8, 4, 1))
_ORDER_COUNTS = lookup((1, 2, 3, 4, 5, 6, 8, 12, 20), (48, 22, 12, 7, 4, 3, 3, 1, 0.5))
_LINE_COUNTS = lookup((1, 2, 3, 4), (65, 24, 8, 3))
_QUANTITIES = lookup((1, 2, 3), (75, 20, 5))
_BIRTH_FIRST = date(1965, 1, 1).toordinal()
_BIRTH_SPAN = date(2006, 12, 31).toordinal() - _BIRTH_FIRST
_MALE_MIDDLES = ("Văn",) * 5 + vietnam.MIDDLE_NAMES_MALE
_FEMALE_MIDDLES = ("Thị",) * 4 + vietnam.MIDDLE_NAMES_FEMALE
_STREETS = vietnam.STREETS
_DOMAINS = vietnam.EMAIL_DOMAINS


@dataclass
class People:
    """The chunk's rows plus what the social generator needs to know about each customer."""

    customer: list[Row] = field(default_factory=list)
    order: list[Row] = field(default_factory=list)
    order_line: list[Row] = field(default_factory=list)
    member: list[Row] = field(default_factory=list)
    point_entry: list[Row] = field(default_factory=list)
    offer_use: list[Row] = field(default_factory=list)
    customer_tag: list[Row] = field(default_factory=list)
    shared_phone: set[int] = field(default_factory=set)
    """Local indices of customers whose number another customer also has."""
    member_of: dict[int, Row] = field(default_factory=dict)
    ordinals: list[int] = field(default_factory=list)


def _tier(spent: int) -> str:
    for threshold, code in vietnam.TIER_THRESHOLDS:
        if spent >= threshold:
            return code
    return "member"


def _name(rand: Uniform, female: bool) -> tuple[str, str]:
    middles = _FEMALE_MIDDLES if female else _MALE_MIDDLES
    givens = vietnam.GIVEN_NAMES_FEMALE if female else vietnam.GIVEN_NAMES_MALE
    middle = middles[int(rand() * len(middles))]
    if rand() < 0.12:
        second = vietnam.MIDDLE_NAMES_FEMALE if female else vietnam.MIDDLE_NAMES_MALE
        extra = second[int(rand() * len(second))]
        if extra != middle:
            middle = f"{middle} {extra}"
    return middle, givens[int(rand() * len(givens))]


def generate_people(cat: Catalog, chunk: int, rng: random.Random) -> People:
    out = People()
    rand = rng.random
    now = cat.now
    shop = cat.shop_id
    offset = contact.seed_offset(cat.seed)
    previous_phone: str | None = None
    for j in range(cat.chunk_customers(chunk)):
        ordinal = chunk * CHUNK_SIZE + j
        out.ordinals.append(ordinal)
        r = rand()
        gender = "female" if r < 0.52 else "male" if r < 0.92 else "unknown"
        middle, given = _name(rand, gender == "female" or (gender == "unknown" and r > 0.96))
        family = _FAMILIES[int(rand() * len(_FAMILIES))]
        birthday = None
        if rand() < 0.85:
            birthday = date.fromordinal(_BIRTH_FIRST + int(rand() * _BIRTH_SPAN))
        phone = normalized = carrier = None
        if rand() < 0.92:
            if previous_phone is not None and rand() < 0.006:
                normalized = previous_phone
                out.shared_phone.update((j, j - 1))
            else:
                normalized = contact.phone_number(offset, ordinal, customer=True)
            phone = contact.written(normalized, rand())
            normalized = contact.normalized_of(phone)
            carrier = contact.carrier(normalized)
        previous_phone = None if j in out.shared_phone else normalized
        email = email_normalized = None
        if rand() < 0.5:
            domain = _DOMAINS[int(rand() * len(_DOMAINS))]
            email = contact.email(given, family, ordinal, rand(), rand(), domain)
            email_normalized = email.strip().lower()
        address = province = district = ward = None
        r = rand()
        if r < 0.8:
            if r < 0.01:
                address = vietnam.DOCUMENTED_ADDRESS
            else:
                street = _STREETS[int(rand() * len(_STREETS))]
                number = 1 + int(rand() * 400)
                address = (
                    f"{number} {street}" if r < 0.6 else f"{number}/{1 + int(rand() * 40)} {street}"
                )
        if rand() < 0.9:
            province = _PROVINCES[int(rand() * len(_PROVINCES))]
            places = _PLACES[province]
            district, wards = places[int(rand() * len(places))]
            ward = wards[int(rand() * len(wards))]
        created_at = now - int(rand() * 3 * 365 * DAY)
        row: Row = [
            shop, j, given, family, f"{family} {middle} {given}", gender, birthday, email,
            email_normalized, phone, normalized, carrier, address, province, district, ward,
            created_at, created_at, 0, 0, None, [],
        ]  # fmt: skip
        out.customer.append(row)
        if rand() < 0.7:
            _orders(cat, out, row, _ORDER_COUNTS[int(rand() * len(_ORDER_COUNTS))], rand)
        if rand() < (0.5 if row[18] else 0.17):
            _member(cat, out, row, ordinal, rng)
        member = out.member_of.get(j)
        if rand() < 0.15 or (member is not None and member[4] in ("gold", "diamond")):
            _customer_tags(cat, out, row, member, rand)
    return out


def _orders(cat: Catalog, out: People, customer: Row, count: int, rand: Uniform) -> None:
    now = cat.now
    shop = cat.shop_id
    products, prices, stores = cat.product_ids, cat.product_prices, cat.store_ids
    lines = out.order_line
    preferred = _CHANNELS[int(rand() * len(_CHANNELS))]
    ages = sorted((int(rand() * rand() * 730 * DAY) for _ in range(count)), reverse=True)
    spent = 0
    channels: set[str] = set()
    placed_at = first = now - ages[0]
    for age in ages:
        placed_at = now - age
        channel = preferred if rand() < 0.65 else _CHANNELS[int(rand() * len(_CHANNELS))]
        channels.add(channel)
        store = stores[int(rand() * len(stores))] if channel == "pos" else None
        order_id = len(out.order)
        total = 0
        for _ in range(_LINE_COUNTS[int(rand() * len(_LINE_COUNTS))]):
            p = int(rand() * rand() * len(products))
            quantity = _QUANTITIES[int(rand() * len(_QUANTITIES))]
            amount = quantity * prices[p]
            total += amount
            lines.append([shop, len(lines), order_id, products[p], quantity, amount])
        out.order.append([shop, order_id, customer[1], channel, store, placed_at, total, placed_at])
        spent += total
    customer[16] = min(customer[16], first - int(rand() * 60) * DAY)
    customer[17] = max(customer[16], placed_at)
    customer[18] = count
    customer[19] = spent
    customer[20] = placed_at
    customer[21] = [c for c in CHANNELS if c in channels]


def _member(cat: Catalog, out: People, customer: Row, ordinal: int, rng: random.Random) -> None:
    rand = rng.random
    now = cat.now
    shop = cat.shop_id
    delay = cat.points_delay_hours * HOUR
    ledger = out.point_entry
    member_id = len(out.member)
    orders = out.order[-customer[18] :] if customer[18] else []
    since = orders[0][5] - int(rand() * 20) * DAY if orders else customer[16]
    earned = available = 0
    latest_available = since
    pending_until = None
    earn_note = vietnam.POINT_NOTES["earn"]
    earns = [(o[5], o[6] // 10_000, earn_note) for o in orders[-6:] if o[6] >= 10_000]
    if rand() < 0.04:
        earns.append((now - int(rand() * DAY), 20 + int(rand() * 80), vietnam.BONUS_NOTE))
    for occurred_at, points, note in earns:
        ready = occurred_at + delay
        earned += points
        if ready <= now:
            available += points
            latest_available = max(latest_available, ready)
        pending_until = ready if pending_until is None else max(pending_until, ready)
        ledger.append([shop, len(ledger), member_id, "earn", points, occurred_at, ready, note])
    used = expired = 0
    window = max(now - latest_available, SECOND)
    if available >= 20 and rand() < 0.3:
        used = max(1, int(available * (0.2 + 0.4 * rand())))
        at = latest_available + int(rand() * window)
        ledger.append(
            [shop, len(ledger), member_id, "spend", used, at, at, vietnam.POINT_NOTES["spend"]]
        )
    if available - used >= 10 and rand() < 0.08:
        expired = max(1, int((available - used) * 0.3 * rand()))
        at = latest_available + int(rand() * window)
        ledger.append(
            [shop, len(ledger), member_id, "expire", expired, at, at, vietnam.POINT_NOTES["expire"]]
        )
    row: Row = [
        shop, member_id, customer[1], f"TV{ordinal + 1:08d}", _tier(customer[19]), since,
        earned - used - expired, used, pending_until,
    ]  # fmt: skip
    out.member.append(row)
    out.member_of[customer[1]] = row
    if rand() < 0.25:
        span = max(now - since, SECOND)
        first = int(rand() * len(vietnam.OFFERS))
        picks = [first, (first + 1 + int(rand() * 4)) % 5] if rand() < 0.3 else [first]
        for k in picks:
            code, name = vietnam.OFFERS[k]
            out.offer_use.append(
                [shop, len(out.offer_use), member_id, code, name, since + int(rand() * span)]
            )


def _customer_tags(
    cat: Catalog, out: People, customer: Row, member: Row | None, rand: Uniform
) -> None:
    tags = cat.shop_tag_ids
    chosen = {tags[int(rand() * len(tags))]}
    if rand() < 0.3:
        chosen.add(tags[int(rand() * len(tags))])
    if member is not None and member[4] in ("gold", "diamond") and rand() < 0.8:
        chosen.add(tags[0])
    tagged_at = customer[16] + int(rand() * 30 * DAY)
    for tag in sorted(chosen):
        out.customer_tag.append([cat.shop_id, customer[1], tag, tagged_at])
