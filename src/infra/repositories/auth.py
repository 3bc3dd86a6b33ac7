"""Tokens and staff: who a bearer token is, and issuing tokens."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.staff import Principal, Role
from domain.token import digest, new_token, parse_token
from infra import tables as t


async def principal_for(session: AsyncSession, token: str) -> Principal | None:
    """The staff member a token belongs to, or None for an unknown or revoked token."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    row = (
        await session.execute(
            select(t.staff.c.shop_id, t.staff.c.id, t.staff.c.role)
            .join(
                t.api_token,
                (t.api_token.c.shop_id == t.staff.c.shop_id)
                & (t.api_token.c.staff_id == t.staff.c.id),
            )
            .where(
                t.api_token.c.shop_id == parsed.shop_id,
                t.api_token.c.token_hash == parsed.digest,
                t.api_token.c.revoked_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    return Principal(shop_id=row.shop_id, staff_id=row.id, role=Role(row.role))


async def ensure_shop(session: AsyncSession, *, shop_id: int, name: str) -> None:
    exists = await session.scalar(select(t.shop.c.shop_id).where(t.shop.c.shop_id == shop_id))
    if exists is None:
        await session.execute(insert(t.shop).values(shop_id=shop_id, name=name))


async def issue_token(
    session: AsyncSession,
    *,
    shop_id: int,
    role: Role,
    staff_name: str,
    token_name: str = "default",
) -> tuple[int, str]:
    """Create a staff member with ``role`` and a token for it; returns (staff id, token).

    The plain token is returned once and never stored.
    """
    staff_id = await session.scalar(
        insert(t.staff)
        .values(shop_id=shop_id, name=staff_name, role=role.value)
        .returning(t.staff.c.id)
    )
    assert staff_id is not None
    token = new_token(shop_id)
    await session.execute(
        insert(t.api_token).values(
            shop_id=shop_id, staff_id=staff_id, name=token_name, token_hash=digest(token)
        )
    )
    return staff_id, token
