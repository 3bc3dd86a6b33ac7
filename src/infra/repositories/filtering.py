"""What filtering needs from the database besides the rows: time zone, custom fields, WHERE."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.filters import And, Condition, Profile, searches_text, uses_instant, uses_periods
from domain.period import local_today
from infra import tables as t
from infra.bounded import keep
from infra.filter_sql import WholeSet, filter_clauses, scope_for, where, whole_set
from infra.filter_sql.scope import INSTANT
from infra.statements import Where


class ZoneCache:
    """Shops' time zones, kept for ``ttl`` seconds: relative periods need one on every request,
    and no request changes it."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._zones: dict[int, tuple[float, str]] = {}

    def get(self, shop_id: int) -> str | None:
        cached = self._zones.get(shop_id)
        return cached[1] if cached is not None and cached[0] > time.monotonic() else None

    def put(self, shop_id: int, zone: str) -> None:
        self._zones[shop_id] = (time.monotonic() + self.ttl, zone)


CLAUSES_KEPT = 1024
Form = tuple[ColumnElement[bool], WholeSet | None]
"""A compiled condition: its WHERE clause and, where a count differs, its whole-set form."""
Compiled = tuple[Form, Form | None]
"""A condition's form, and where it searches text, its form with that text written for a read
of every row (``Scope.scanned``)."""
_CLAUSES: dict[tuple[Profile, Condition, int, tuple[str, date] | None], Compiled] = {}
"""Compiled conditions by profile, condition, shop and, for conditions with periods, the
shop's time zone and local day."""


class FilterRepository:
    def __init__(self, session: AsyncSession, shop_id: int, zones: ZoneCache | None = None) -> None:
        self.session = session
        self.shop_id = shop_id
        self.zones = zones

    async def timezone(self) -> str:
        cached = self.zones.get(self.shop_id) if self.zones is not None else None
        if cached is not None:
            return cached
        zone = await self.session.scalar(
            select(t.shop.c.timezone).where(t.shop.c.shop_id == self.shop_id)
        )
        zone = zone or "Asia/Ho_Chi_Minh"
        if self.zones is not None:
            self.zones.put(self.shop_id, zone)
        return zone

    async def where(self, list_profile: Profile, condition: Condition, now: datetime) -> Where:
        """The WHERE clause of a list (customers, members or subscribers) for ``condition``,
        with the arguments to run it with at ``now``.

        Members are filtered through their customer, so customer and member attributes mix. A
        condition compiles to the same clause for as long as the rows it selects cannot change
        with the clock, so its clause is kept (conditions are frozen, hashable values): for
        good when it has no period, for the shop's local day when it has periods (they are
        whole local days). Available points follow the instant itself: there the instant is a
        parameter of the clause (``INSTANT``), given anew with every execution.
        """
        zone, periods, arguments = await self._evaluated(condition, now)
        (clause, whole), read = self._clause(list_profile, condition, now, zone, periods)
        scanned = None if read is None else Where(read[0], arguments, read[1])
        return Where(clause, arguments, whole, scanned)

    async def counted_side_by_side(
        self, list_profile: Profile, conditions: Sequence[Condition], now: datetime
    ) -> tuple[WholeSet, Mapping[str, Any]]:
        """``conditions`` as the FILTER clauses of one statement counting each (the parts of a
        segment preview), with the arguments to run it with at ``now``."""
        if list_profile is Profile.MEMBER:
            raise TypeError("members are counted through their customers")
        zone, _, arguments = await self._evaluated(And(tuple(conditions)), now)
        scope = scope_for(list_profile, self.shop_id, now, zone)
        return filter_clauses(conditions, scope), arguments

    async def _evaluated(
        self, condition: Condition, now: datetime
    ) -> tuple[str, bool, dict[str, Any]]:
        """What ``condition`` is evaluated with at ``now``: the time zone of its relative
        periods (UTC when it has none), whether it has any, and its run-time arguments."""
        periods = uses_periods(condition)
        zone = await self.timezone() if periods else "UTC"
        return zone, periods, {INSTANT: now} if uses_instant(condition) else {}

    def _clause(
        self, list_profile: Profile, condition: Condition, now: datetime, zone: str, periods: bool
    ) -> Compiled:
        key = (
            list_profile,
            condition,
            self.shop_id,
            (zone, local_today(now, zone)) if periods else None,
        )
        try:
            found = _CLAUSES.get(key)
        except TypeError:  # a condition holding an unhashable value: compiled every time
            return self._compiled(list_profile, condition, now, zone)
        if found is None:
            found = keep(
                _CLAUSES, key, self._compiled(list_profile, condition, now, zone), CLAUSES_KEPT
            )
        return found

    def _compiled(
        self, list_profile: Profile, condition: Condition, now: datetime, zone: str
    ) -> Compiled:
        plain = self._form(list_profile, condition, now, zone, scanned=False)
        if not searches_text(condition):
            return plain, None
        return plain, self._form(list_profile, condition, now, zone, scanned=True)

    def _form(
        self,
        list_profile: Profile,
        condition: Condition,
        now: datetime,
        zone: str,
        *,
        scanned: bool,
    ) -> Form:
        if list_profile is not Profile.MEMBER:
            scope = scope_for(list_profile, self.shop_id, now, zone, scanned=scanned)
            whole = whole_set(condition, scope)
            counted = whole.joins or whole.keys is not None
            return where(condition, scope), whole if counted else None
        customer = t.customer.alias("mc")
        customers = scope_for(Profile.CUSTOMER, self.shop_id, now, zone, scanned=scanned)
        scope = replace(customers, table=customer)
        whole = whole_set(condition, scope, keys=False)  # members are counted, not customers

        def of_member(source: FromClause, clause: ColumnElement[bool]) -> ColumnElement[bool]:
            return exists(
                select(literal(1))
                .select_from(source)
                .where(
                    customer.c.shop_id == self.shop_id,
                    customer.c.id == t.member.c.customer_id,
                    clause,
                )
            )

        plain = of_member(customer, where(condition, scope))
        if not whole.joins:
            return plain, None
        return plain, WholeSet((of_member(whole.select_from(customer), whole.clause),), ())
