"""Tags in folders: social tags belong to a page, commerce customer tags to the shop."""

from __future__ import annotations

from dataclasses import dataclass

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
