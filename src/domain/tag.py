"""Tags in folders: social tags belong to a page, commerce customer tags to the shop."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import DomainError

# SPEC T2: created for a page on its first connection.
DEFAULT_TAG_FOLDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Tư vấn - Bán hàng",
        (
            "Quan tâm",
            "Giá cao",
            "Thích ưu đãi",
            "Hết hàng",
            "Đã tư vấn",
            "Thiếu địa chỉ",
            "Thiếu số đt",
            "Chờ thanh toán",
            "Chờ chuyển khoản",
            "Không nghe máy",
            "Đã chốt đơn",
        ),
    ),
    ("Vận hành - Giao hàng", ("Giao gấp", "Chờ giao lại")),
    (
        "Nhóm khách hàng",
        ("Bom hàng", "Spam", "Khách chặn shop", "Mua sỉ", "Mua lần đầu", "Khách quen"),
    ),
)


@dataclass(frozen=True, slots=True)
class TagFolder:
    shop_id: int
    id: int
    page_id: int | None
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Tag:
    shop_id: int
    id: int
    page_id: int | None
    folder_id: int | None
    name: str
    color: str | None

    @property
    def is_social(self) -> bool:
        return self.page_id is not None


MAX_TAG_NAME = 64


class TagTarget(StrEnum):
    """What a tag can be put on."""

    CUSTOMER = "customer"
    SUBSCRIBER = "subscriber"
    THREAD = "thread"


def clean_name(name: str, *, field: str) -> str:
    """A tag or folder name without surrounding spaces; empty or overlong names are refused."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DomainError("A name is required.", field=field)
    if len(cleaned) > MAX_TAG_NAME:
        raise DomainError(f"A name has at most {MAX_TAG_NAME} characters.", field=field)
    return cleaned


def scope_rule(target: TagTarget) -> str:
    """Which tags fit ``target``, in words for error messages (SPEC T2)."""
    if target is TagTarget.CUSTOMER:
        return "customers take commerce tags (tags of the shop, not of a page)"
    return f"a {target.value} takes only the tags of its own page"


def unique_by_name(tags: Iterable[Tag]) -> list[Tag]:
    """Each tag name once, keeping the first seen (SPEC C5: one per name across pages)."""
    seen: set[str] = set()
    result: list[Tag] = []
    for tag in tags:
        key = tag.name.casefold()
        if key not in seen:
            seen.add(key)
            result.append(tag)
    return result
