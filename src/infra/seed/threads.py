"""Conversation threads of the demo subscribers, with a few messages each and their tags."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from infra.seed import vietnam
from infra.seed.catalog import DAY, SECOND, Catalog, Row, Uniform, lookup

T = TypeVar("T")
_MESSAGE_COUNTS = lookup((1, 2, 3, 4), (30, 40, 20, 10), size=100)
_COMMENT_CHANNELS = ("facebook", "instagram")
_COMMENTS, _INBOUND, _OUTBOUND = vietnam.COMMENTS, vietnam.INBOUND, vietnam.OUTBOUND
_EMOJIS, _FILES = vietnam.EMOJIS, vietnam.FILES


def pick(values: Sequence[T], rand: Uniform) -> T:
    return values[int(rand() * len(values))]


class Conversations:
    """Accumulates the threads, messages and thread tags of one chunk."""

    def __init__(self, cat: Catalog, rng: random.Random) -> None:
        self.cat = cat
        self.rand = rng.random
        self.threads: list[Row] = []
        self.messages: list[Row] = []
        self.tags: list[Row] = []
        self.first_thread: dict[int, int] = {}

    def add(
        self,
        subscriber: int,
        page: int,
        customer: int | None,
        phone: str | None,
        has_order: bool,
        count: int,
    ) -> tuple[int, int]:
        """Add ``count`` threads of a subscriber; return its first and last inbound times."""
        cat = self.cat
        rand = self.rand
        channel = cat.page_channels[page]
        staff = cat.staff_ids
        tags = cat.page_tag_ids[page]
        first_at = last_in = cat.now
        self.first_thread[subscriber] = len(self.threads)
        for n in range(count):
            thread = len(self.threads)
            comment = n > 0 and channel in _COMMENT_CHANNELS and rand() < 0.8
            last_at = cat.now - int(rand() * rand() * 180 * DAY)
            started, last_inbound, answered, unread = self._messages(
                thread, channel, comment, last_at
            )
            first_at = started if n == 0 else min(first_at, started)
            last_in = last_inbound if n == 0 else max(last_in, last_inbound)
            self.threads.append([
                cat.shop_id, thread, cat.page_ids[page], channel,
                "comment" if comment else "message", subscriber, customer, phone,
                0 if answered or rand() < 0.4 else unread, answered,
                pick(staff, rand) if rand() < 0.35 else None, rand() < 0.03,
                has_order and rand() < 0.5, last_at, started,
            ])  # fmt: skip
            if rand() < 0.3:
                first = int(rand() * len(tags))
                chosen = [tags[first]]
                if rand() < 0.3:
                    chosen.append(tags[(first + 1 + int(rand() * (len(tags) - 1))) % len(tags)])
                for tag in chosen:
                    self.tags.append([cat.shop_id, thread, tag, last_at, pick(staff, rand)])
        return first_at, last_in

    def _messages(
        self, thread: int, channel: str, comment: bool, last_at: int
    ) -> tuple[int, int, bool, int]:
        """Messages ending at ``last_at``: (first sent, last inbound, answered, unread count)."""
        rand = self.rand
        shop = self.cat.shop_id
        staff = self.cat.staff_ids
        messages = self.messages
        rich = channel != "shopee"  # Shopee chat takes text, images and emoji only (C10)
        inbound = _COMMENTS if comment else _INBOUND
        times = [last_at]
        for _ in range(_MESSAGE_COUNTS[int(rand() * 100)] - 1):
            times.append(times[-1] - (30 + int(rand() * 10_800)) * SECOND)
        times.reverse()
        last_inbound = times[0]
        unread = 0
        direction = "in"
        for i, sent_at in enumerate(times):
            if i:
                direction = "out" if rand() < 0.55 else "in"
            r = rand()
            body: str | None = None
            if r < 0.06:
                kind = "image"
            elif r < 0.11:
                kind, body = "emoji", _EMOJIS[int(rand() * len(_EMOJIS))]
            elif r < 0.13 and rich:
                kind = "sticker"
            elif r < 0.15 and rich:
                kind, body = "file", _FILES[int(rand() * len(_FILES))]
            else:
                texts = inbound if direction == "in" else _OUTBOUND
                kind, body = "text", texts[int(rand() * len(texts))]
            by = None
            if direction == "in":
                last_inbound = sent_at
                unread += 1
            else:
                unread = 0
                if rand() < 0.6:
                    by = staff[int(rand() * len(staff))]
            messages.append([shop, len(messages), thread, direction, kind, body, by, sent_at])
        return times[0], last_inbound, direction == "out", unread
