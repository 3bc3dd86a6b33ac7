"""Conversation threads of the demo subscribers, with a few messages each and their tags."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from infra.seed import vietnam
from infra.seed.catalog import Catalog, Row

DAY = 86_400
_MESSAGE_COUNTS = (1, 1, 1, 2, 2, 2, 2, 3, 3, 4)
_RICH_TYPES = ("sticker", "file")
_COMMENT_CHANNELS = ("facebook", "instagram")


class Conversations:
    """Accumulates the threads, messages and thread tags of one chunk."""

    def __init__(self, cat: Catalog, rng: random.Random) -> None:
        self.cat = cat
        self.rng = rng
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
    ) -> tuple[datetime, datetime]:
        """Add ``count`` threads of a subscriber; return its first and last inbound times."""
        cat = self.cat
        rand = self.rng.random
        channel = cat.page_channels[page]
        staff = cat.staff_ids
        first_at = last_in = cat.now
        self.first_thread[subscriber] = len(self.threads)
        for n in range(count):
            thread = len(self.threads)
            comment = n > 0 and channel in _COMMENT_CHANNELS and rand() < 0.8
            last_at = cat.now - timedelta(seconds=int(rand() * rand() * 180 * DAY))
            started, last_inbound, outbound_last, unread = self._messages(
                thread, channel, comment, last_at
            )
            first_at = started if n == 0 else min(first_at, started)
            last_in = last_inbound if n == 0 else max(last_in, last_inbound)
            self.threads.append([
                cat.shop_id, thread, cat.page_ids[page], channel,
                "comment" if comment else "message", subscriber, customer, phone,
                0 if outbound_last or rand() < 0.4 else unread, outbound_last,
                staff[int(rand() * len(staff))] if rand() < 0.35 else None, rand() < 0.03,
                has_order and rand() < 0.5, last_at, started,
            ])  # fmt: skip
            if rand() < 0.3:
                tags = cat.page_tag_ids[page]
                for tag in self.rng.sample(tags, 1 + (rand() < 0.3)):
                    by = staff[int(rand() * len(staff))]
                    self.tags.append([cat.shop_id, thread, tag, last_at, by])
        return first_at, last_in

    def _messages(
        self, thread: int, channel: str, comment: bool, last_at: datetime
    ) -> tuple[datetime, datetime, bool, int]:
        """Messages ending at ``last_at``: (first sent, last inbound, answered, unread count)."""
        rand = self.rng.random
        shop = self.cat.shop_id
        staff = self.cat.staff_ids
        count = _MESSAGE_COUNTS[int(rand() * 10)]
        gaps = [30 + int(rand() * 3 * 3600) for _ in range(count - 1)]
        sent_at = last_at - timedelta(seconds=sum(gaps))
        last_inbound = sent_at
        unread = 0
        direction = "in"
        inbound_texts = vietnam.COMMENTS if comment else vietnam.INBOUND
        for i in range(count):
            if i:
                sent_at += timedelta(seconds=gaps[i - 1])
                direction = "out" if rand() < 0.55 else "in"
            r = rand()
            kind, body = "text", None
            if r < 0.06:
                kind = "image"
            elif r < 0.11:
                kind, body = "emoji", vietnam.EMOJIS[int(rand() * len(vietnam.EMOJIS))]
            elif r < 0.15 and channel != "shopee":
                kind = _RICH_TYPES[int(rand() * 2)]
                body = vietnam.FILES[int(rand() * 3)] if kind == "file" else None
            else:
                texts = inbound_texts if direction == "in" else vietnam.OUTBOUND
                body = texts[int(rand() * len(texts))]
            by = None
            if direction == "in":
                last_inbound = sent_at
                unread += 1
            else:
                unread = 0
                if rand() < 0.6:
                    by = staff[int(rand() * len(staff))]
            self.messages.append(
                [shop, len(self.messages), thread, direction, kind, body, by, sent_at]
            )
        return last_at - timedelta(seconds=sum(gaps)), last_inbound, direction == "out", unread
