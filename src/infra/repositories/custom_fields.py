"""The shop's custom fields and the values subscribers hold in them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.custom_fields import CustomFieldDefinition, CustomFieldType, TypedValue
from domain.errors import DomainError, ErrorCode
from infra import tables as t

Write = tuple[int, int, TypedValue | None]
"""A subscriber id, a field id and the value to hold (None: remove the value)."""


class CustomFieldRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    async def define(self, field: CustomFieldDefinition) -> CustomFieldDefinition:
        """Create the field, or relabel it; its type cannot change (values are stored by it)."""
        f = t.custom_field
        held = await self.session.scalar(
            select(f.c.type).where(f.c.shop_id == self.shop_id, f.c.key == field.key)
        )
        if held is not None and held != field.type.value:
            raise DomainError(
                f"{field.key!r} is a {held} field; its type cannot change. Define a new key.",
                code=ErrorCode.CONFLICT,
                field="input.type",
            )
        statement = insert(f).values(
            shop_id=self.shop_id, key=field.key, label=field.label, type=field.type.value
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[f.c.shop_id, f.c.key], set_={"label": statement.excluded.label}
            )
        )
        return field

    async def by_key(self) -> dict[str, tuple[int, CustomFieldType]]:
        f = t.custom_field
        rows = await self.session.execute(
            select(f.c.key, f.c.id, f.c.type).where(f.c.shop_id == self.shop_id)
        )
        return {key: (field_id, CustomFieldType(kind)) for key, field_id, kind in rows}

    async def write(self, writes: Sequence[Write]) -> None:
        """Set and remove subscribers' values, in two statements."""
        v = t.custom_field_value
        removed = [(s, f) for s, f, value in writes if value is None]
        if removed:
            await self.session.execute(
                delete(v).where(
                    v.c.shop_id == self.shop_id,
                    tuple_(v.c.subscriber_id, v.c.field_id).in_(removed),
                )
            )
        rows = [
            {
                "shop_id": self.shop_id,
                "subscriber_id": s,
                "field_id": f,
                "value_text": value.text,
                "value_number": value.number,
                "value_date": value.day,
            }
            for s, f, value in writes
            if value is not None
        ]
        if rows:
            statement = insert(v).values(rows)
            excluded = statement.excluded
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=[v.c.shop_id, v.c.subscriber_id, v.c.field_id],
                    set_={
                        "value_text": excluded.value_text,
                        "value_number": excluded.value_number,
                        "value_date": excluded.value_date,
                    },
                )
            )
