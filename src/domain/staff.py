"""Staff members, their roles, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    SHOP_ADMIN = "shop_admin"  # "quản trị"
    SOCIAL_ADMIN = "social_admin"  # "admin" of the social suite
    CHAT_STAFF = "chat_staff"  # "nhân viên trực chat"
    DEFAULT = "default"  # "mặc định"
    DEFAULT_ADVANCED = "default_advanced"  # "mặc định nâng cao"
    BASIC = "basic"  # any other role, with the fewest rights


# C11: who may switch merge mode on or off.
MERGE_MODE_ROLES = frozenset(
    {Role.OWNER, Role.SOCIAL_ADMIN, Role.CHAT_STAFF, Role.DEFAULT, Role.DEFAULT_ADVANCED}
)
# C13: who may reconnect or disconnect a page that lost its connection (everyone may dismiss).
PAGE_CONNECTION_ROLES = frozenset({Role.OWNER, Role.SHOP_ADMIN, Role.SOCIAL_ADMIN, Role.DEFAULT})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved from the bearer token, and scoping every query to one shop."""

    shop_id: int
    staff_id: int
    role: Role

    @property
    def can_switch_merge_mode(self) -> bool:
        return self.role in MERGE_MODE_ROLES

    @property
    def can_manage_page_connection(self) -> bool:
        return self.role in PAGE_CONNECTION_ROLES


@dataclass(frozen=True, slots=True)
class StaffMember:
    shop_id: int
    id: int
    name: str
    email: str | None
    role: Role
    merge_mode: bool
