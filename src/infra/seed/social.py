"""Social subscribers of one chunk and their conversations, tags, ref links and custom fields.

Most subscribers are customers of the chunk who also message one or more pages (so the merged
inbox has people with threads on several pages); the rest are strangers. A subscriber is linked
to a customer only when every number and address it carries belongs to that customer alone.
"""

from __future__ import annotations

import math
import random
from typing import TypeVar

from infra.seed import contact, vietnam
from infra.seed.catalog import DAY, MINUTE, Catalog, Row, Rows, Uniform, day_of
from infra.seed.people import People
from infra.seed.threads import Conversations, pick

THREADS_PER_SUBSCRIBER = 1.15
STRANGER_SHARE = 0.25
_UID_PREFIX = {"facebook": 2460, "instagram": 1784, "zalo": 5230, "shopee": 3310}
_AVATAR = {
    "facebook": "https://graph.facebook.com/{}/picture",
    "instagram": "https://scontent.cdninstagram.com/v/{}.jpg",
    "zalo": "https://s120-ava-talk.zadn.vn/{}.jpg",
    "shopee": "https://cf.shopee.vn/file/{}",
}
_STRANGER_CAPACITY = 1_000_000
_FAMILIES = tuple(vietnam.FAMILY_NAMES)
T = TypeVar("T")


def _binomial_cum(trials: int, p: float) -> list[float]:
    weights = [math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(trials + 1)]
    total = 0.0
    cum = []
    for w in weights:
        total += w
        cum.append(total)
    return cum


def _plan(cat: Catalog, n: int, rng: random.Random) -> tuple[list[tuple[int, int]], list[int]]:
    """Who subscribes to which page (customer index or -1, page index), and threads of each."""
    pages = len(cat.page_ids)
    if not pages or cat.threads_per_customer <= 0:
        return [], []
    per_customer = cat.threads_per_customer / THREADS_PER_SUBSCRIBER
    p = min((1 - STRANGER_SHARE) * per_customer / pages, 0.9)
    ks = rng.choices(range(pages + 1), cum_weights=_binomial_cum(pages, p), k=n)
    entries: list[tuple[int, int]] = []
    for j, k in enumerate(ks):
        if k:
            entries.extend((j, page) for page in sorted(rng.sample(range(pages), k)))
    strangers = int(n * per_customer * STRANGER_SHARE + rng.random())
    entries.extend((-1, int(rng.random() * pages)) for _ in range(strangers))
    threads = [1] * len(entries)
    for _ in range(math.ceil(cat.threads_per_customer * n) - len(entries)):
        threads[int(rng.random() * len(entries))] += 1
    return entries, threads


def generate_social(cat: Catalog, chunk: int, rng: random.Random, people: People) -> Rows:
    entries, thread_counts = _plan(cat, len(people.customer), rng)
    rand = rng.random
    shop = cat.shop_id
    offset = contact.seed_offset(cat.seed)
    talks = Conversations(cat, rng)
    subscribers: list[Row] = []
    extras: Rows = {name: [] for name in ("ref_link_open", "otn_subscription", "subscriber_tag")}
    values: list[Row] = []
    enrolments: list[Row] = []
    steps: list[Row] = []
    for s, (j, page) in enumerate(entries):
        channel = cat.page_channels[page]
        uid = str(_UID_PREFIX[channel] * 10**12 + chunk * 10**7 + s)
        customer = people.customer[j] if j >= 0 else None
        phone = normalized = email = email_normalized = None
        customer_id = code = name = None
        if customer is not None:
            first, last, full, gender = customer[2], customer[3], customer[4], customer[5]
            if rand() < 0.2:
                first, last = contact.ascii_name(first).title(), contact.ascii_name(last).title()
                full = f"{last} {first}"
            if customer[10] is not None and rand() < 0.65:
                phone = contact.written(customer[10], rand())
                normalized = customer[10]
            if customer[7] is not None and rand() < 0.25:
                email, email_normalized = customer[7], customer[8]
            if (phone or email) and (phone is None or j not in people.shared_phone):
                customer_id = j
                if rand() < 0.4:
                    code, name = f"KH{people.ordinals[j] + 1:07d}", customer[4]
        else:
            first, last, full, gender = _stranger_name(rand)
            if rand() < 0.3:
                ordinal = chunk * _STRANGER_CAPACITY + s
                normalized = contact.phone_number(offset, ordinal, customer=False)
                phone = contact.written(normalized, rand())
                if rand() < 0.2:
                    email = contact.email(first, last, ordinal, rand(), rand(), "icloud.com")
                    email_normalized = email.strip().lower()
        store_name = store_code = None
        if rand() < 0.08:
            store_code, store_name, _ = vietnam.STORES[int(rand() * len(vietnam.STORES))]
        utm: tuple[str | None, ...] = (None, None, None)
        if rand() < 0.2:
            utm = (pick(vietnam.UTM_SOURCES, rand), pick(vietnam.UTM_MEDIUMS, rand),
                   pick(vietnam.UTM_CAMPAIGNS, rand))  # fmt: skip
        has_order = customer is not None and customer[18] > 0
        first_at, last_in = talks.add(s, page, customer_id, normalized, has_order, thread_counts[s])
        signed_up = first_at - int(rand() * 365 * DAY) if rand() < 0.5 else first_at
        subscribers.append([
            shop, s, cat.page_ids[page], uid, customer_id,
            _AVATAR[channel].format(uid) if rand() < 0.9 else None, rand() < 0.92, last_in,
            signed_up, first, last, full, gender, phone, normalized, email, email_normalized,
            store_name, store_code, code, name,
            pick(vietnam.SOURCES, rand) if rand() < 0.7 else None,
            vietnam.SITE + pick(vietnam.SITE_PATHS, rand) if rand() < 0.35 else None, *utm,
        ])  # fmt: skip
        _extras(cat, extras, s, page, rand)
        if rand() < 0.1:
            values.extend(_field_values(cat, s, customer, people, normalized, email, rng))
        if rand() < 0.003:
            _enrol(cat, enrolments, steps, s, talks.first_thread[s], rand)
    return {
        "subscriber": subscribers,
        **extras,
        "custom_field_value": values,
        "thread": talks.threads,
        "thread_tag": talks.tags,
        "message": talks.messages,
        "sequence_enrolment": enrolments,
        "scheduled_step": steps,
    }


def _stranger_name(rand: Uniform) -> tuple[str, str, str, str]:
    female = rand() < 0.55
    family = pick(_FAMILIES, rand)
    middle = pick(vietnam.MIDDLE_NAMES_FEMALE if female else vietnam.MIDDLE_NAMES_MALE, rand)
    given = pick(vietnam.GIVEN_NAMES_FEMALE if female else vietnam.GIVEN_NAMES_MALE, rand)
    gender = "unknown" if rand() < 0.1 else "female" if female else "male"
    return given, family, f"{family} {middle} {given}", gender


def _extras(cat: Catalog, out: Rows, s: int, page: int, rand: Uniform) -> None:
    shop = cat.shop_id
    now = cat.now
    if rand() < 0.15:
        for ref in _one_or_two(vietnam.REFS, rand):
            out["ref_link_open"].append([shop, s, ref, now - int(rand() * 200 * DAY)])
    if rand() < 0.08:
        for topic in _one_or_two(vietnam.OTN_TOPICS, rand):
            out["otn_subscription"].append([shop, s, topic, now - int(rand() * 90 * DAY)])
    if rand() < 0.25:
        for tag in _one_or_two(cat.page_tag_ids[page], rand):
            out["subscriber_tag"].append([shop, s, tag, now - int(rand() * 120 * DAY)])


def _one_or_two(values: tuple[T, ...], rand: Uniform) -> tuple[T, ...]:
    first = int(rand() * len(values))
    if rand() < 0.3:
        return values[first], values[(first + 1 + int(rand() * (len(values) - 1))) % len(values)]
    return (values[first],)


def _field_values(
    cat: Catalog,
    s: int,
    customer: Row | None,
    people: People,
    phone: str | None,
    email: str | None,
    rng: random.Random,
) -> list[Row]:
    """Values of the shop's custom fields for one subscriber; ``phone`` is the normalised
    number, which is what phone fields hold."""
    fields = dict(cat.field_ids)
    known: list[tuple[str, object]] = [("industry", pick(vietnam.INDUSTRIES, rng.random))]
    if phone is not None:
        known.append(("mobile_number" if customer is not None else "phone_from_ref", phone))
    if email is not None:
        known.append(("email", email))
    if customer is not None:
        salutation = {"female": "Chị", "male": "Anh"}.get(customer[5], "Bạn")
        known += [("full_name", customer[4]), ("salutation", salutation)]
        known += [(key, customer[pos]) for key, pos in (("address", 12), ("province", 13))]
        known += [("district", customer[14]), ("ward", customer[15]), ("birthday", customer[6])]
        if customer[20] is not None:
            known.append(("last_purchase_date", day_of(customer[20])))
            store = vietnam.STORES[int(rng.random() * len(vietnam.STORES))][1]
            known.append(("just_bought_at_store", store))
        member = people.member_of.get(customer[1])
        if member is not None:
            expiry = day_of(member[5] + 730 * DAY)
            known += [("member_code", member[3]), ("member_points", member[6])]
            known.append(("member_expiry_date", expiry))
    known = [(key, value) for key, value in known if value is not None]
    rows = []
    for key, value in rng.sample(known, min(len(known), 2 + int(rng.random() * 3))):
        text = value if type(value) is str else None
        number = value if type(value) is int else None
        day = value if text is None and number is None else None
        rows.append([cat.shop_id, s, fields[key], text, number, day])
    return rows


def _enrol(
    cat: Catalog, out: list[Row], steps: list[Row], s: int, thread: int, rand: Uniform
) -> None:
    sequence = int(rand() * len(cat.sequence_ids))
    enrolled_at = cat.now - int(rand() * 3 * DAY)
    running = rand() < 0.7
    enrolment = len(out)
    rule = cat.rule_id if sequence == 0 else None
    status = "running" if running else "completed"
    out.append(
        [cat.shop_id, enrolment, cat.sequence_ids[sequence], s, thread, rule, status, enrolled_at]
    )
    for position, minutes in enumerate(vietnam.SEQUENCE_DELAYS):
        due_at = enrolled_at + minutes * MINUTE
        state = "done" if not running or due_at <= cat.now else "pending"
        steps.append([cat.shop_id, enrolment, position, due_at, state])
