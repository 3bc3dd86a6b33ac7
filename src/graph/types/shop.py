"""The caller's shop and staff member."""

from __future__ import annotations

import strawberry

from graph.types.enums import Role


@strawberry.type(description="The shop (tenant) the token belongs to; every query is scoped to it.")
class Shop:
    name: str = strawberry.field(description="Display name of the shop.")
    timezone: str = strawberry.field(
        description="IANA time zone relative periods are evaluated in (default Asia/Ho_Chi_Minh)."
    )
    points_delay_hours: int = strawberry.field(
        description="Hours after which earned loyalty points become available (pending before)."
    )


@strawberry.type(description="The staff member the token belongs to.")
class Viewer:
    staff_id: int = strawberry.field(description="Id of the staff member.")
    name: str = strawberry.field(description="Name of the staff member.")
    role: Role = strawberry.field(description="Role, which decides what they may do.")  # type: ignore[valid-type]
    can_switch_merge_mode: bool = strawberry.field(
        description="Whether this role may switch the merged inbox on or off (SPEC C11)."
    )
    can_manage_page_connection: bool = strawberry.field(
        description="Whether this role may reconnect or disconnect pages (SPEC C13)."
    )
