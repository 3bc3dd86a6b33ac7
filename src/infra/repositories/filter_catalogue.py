"""Value suggestions of the filter catalogue that come from the shop's own data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.filter_catalogue import Suggest, static_suggestions
from infra import tables as t

MAX_SUGGESTIONS = 200

# The provinces in use, A to Z by their folded name, each with one spelling found for it. A
# GROUP BY reads every customer (0.8 s at a million); this walks the (shop_id,
# province_folded) index from one distinct value to the next, a probe per province.
PROVINCES = text(
    """
    WITH RECURSIVE folded(value) AS (
        SELECT min(province_folded) FROM customer
        WHERE shop_id = :shop AND province_folded > ''
        UNION ALL
        SELECT (SELECT min(c.province_folded) FROM customer c
                WHERE c.shop_id = :shop AND c.province_folded > folded.value)
        FROM folded WHERE folded.value IS NOT NULL
    )
    SELECT spelling, spelling FROM folded, LATERAL (
        SELECT c.province AS spelling FROM customer c
        WHERE c.shop_id = :shop AND c.province_folded = folded.value LIMIT 1
    ) one
    WHERE folded.value IS NOT NULL
    LIMIT :limit
    """
)


class CatalogueRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    async def suggestions(self, source: Suggest) -> list[tuple[str, str]]:
        """(value, label) pairs, most used first where usage is known."""
        fixed = static_suggestions(source)
        if fixed is not None:
            return fixed
        if source is Suggest.PROVINCES:
            rows = await self.session.execute(
                PROVINCES, {"shop": self.shop_id, "limit": MAX_SUGGESTIONS}
            )
        else:
            rows = await self.session.execute(self._query(source).limit(MAX_SUGGESTIONS))
        return [(str(value), str(label)) for value, label in rows]

    def _query(self, source: Suggest) -> Select[Any]:
        shop = self.shop_id
        match source:
            case Suggest.CUSTOMER_TAGS | Suggest.CHAT_TAGS:
                # Shop-wide tags are customers'; the pages' tags are subscribers' and threads'.
                # (`Suggest.TAGS` never comes here: `suggestion_source` resolves it by list.)
                tag = t.tag
                shop_wide = source is Suggest.CUSTOMER_TAGS
                scope = tag.c.page_id.is_(None) if shop_wide else tag.c.page_id.is_not(None)
                return (
                    select(tag.c.name, tag.c.name)
                    .where(tag.c.shop_id == shop, scope)
                    .group_by(tag.c.name)
                    .order_by(tag.c.name)
                )
            case Suggest.TIERS:
                tier = t.loyalty_tier
                return (
                    select(tier.c.code, tier.c.name)
                    .where(tier.c.shop_id == shop)
                    .order_by(tier.c.rank, tier.c.code)
                )
            case Suggest.OTN_TOPICS:
                otn = t.otn_subscription
                return (
                    select(otn.c.topic, otn.c.topic)
                    .where(otn.c.shop_id == shop)
                    .group_by(otn.c.topic)
                    .order_by(func.count().desc(), otn.c.topic)
                )
            case Suggest.SEQUENCES:
                seq = t.sequence
                return (
                    select(seq.c.name, seq.c.name).where(seq.c.shop_id == shop).order_by(seq.c.name)
                )
            case Suggest.CUSTOM_FIELDS:
                cf = t.custom_field
                return select(cf.c.key, cf.c.label).where(cf.c.shop_id == shop).order_by(cf.c.key)
        raise ValueError(f"no query for suggestions of {source}")

    async def custom_fields(self) -> list[tuple[str, str, str]]:
        """(key, label, type) of the shop's custom fields."""
        cf = t.custom_field
        rows = await self.session.execute(
            select(cf.c.key, cf.c.label, cf.c.type)
            .where(cf.c.shop_id == self.shop_id)
            .order_by(cf.c.key)
        )
        return [(k, label, kind) for k, label, kind in rows]
