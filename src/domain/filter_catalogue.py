"""Every documented filter condition: its input name, kind, operators, labels and suggestions.

This table is the one source of truth for both the converter (which input field becomes which
condition) and the catalogue the API shows to a filter-builder UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.customer import Channel, Gender
from domain.filters import ATTRS, HOME, Attr, BirthdayMonth, OfferUsed, Profile, Purchased
from domain.phone import CARRIERS


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    SET = "set"
    FLAG = "flag"
    PERIOD = "period"
    BIRTHDAY = "birthday"
    PURCHASE = "purchase"
    OFFER = "offer"
    CUSTOM_FIELD = "custom_field"


class Suggest(StrEnum):
    """Where the values of an enumeration come from (static lists or the shop's own data)."""

    GENDERS = "genders"
    CHANNELS = "channels"
    CARRIERS = "carriers"
    TAGS = "tags"
    """The tags the list's own rows take: customer tags, or chat tags on subscribers."""
    CUSTOMER_TAGS = "customer_tags"
    """Shop-wide tags, which customers take."""
    CHAT_TAGS = "chat_tags"
    """Tags of the shop's pages, which subscribers and threads take."""
    TIERS = "tiers"
    PROVINCES = "provinces"
    OTN_TOPICS = "otn_topics"
    SEQUENCES = "sequences"
    CUSTOM_FIELDS = "custom_fields"


OPERATORS: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.TEXT: (
        "equals",
        "not_equals",
        "contains",
        "not_contains",
        "starts_with",
        "any_of",
        "none_of",
        "has_value",
    ),
    FieldKind.NUMBER: ("equals", "min", "max", "greater_than", "less_than"),
    FieldKind.DATE: ("from", "to", "last", "next", "this_month", "has_value"),
    FieldKind.SET: ("any_of", "none_of"),
    FieldKind.FLAG: (),
    FieldKind.PERIOD: ("from", "to", "last", "next", "this_month"),
    FieldKind.BIRTHDAY: ("month", "from", "to"),
    FieldKind.PURCHASE: ("period", "products"),
    FieldKind.OFFER: ("period", "offers"),
    FieldKind.CUSTOM_FIELD: ("key", "text", "number", "date"),
}
"""The operators (fields of the condition's input) each kind allows; a flag is just true/false."""

OPERATOR_LABELS: dict[str, tuple[str, str]] = {
    "equals": ("Bằng", "Equals"),
    "not_equals": ("Không bằng", "Does not equal"),
    "contains": ("Có chứa", "Contains"),
    "not_contains": ("Không chứa", "Does not contain"),
    "starts_with": ("Bắt đầu với", "Starts with"),
    "any_of": ("Là một trong", "Is any of"),
    "none_of": ("Không là một trong", "Is none of"),
    "has_value": ("Có / không có giá trị", "Has a value / has none"),
    "min": ("Từ", "At least"),
    "max": ("Đến", "At most"),
    "greater_than": ("Lớn hơn", "Greater than"),
    "less_than": ("Nhỏ hơn", "Less than"),
    "from": ("Từ ngày", "From"),
    "to": ("Đến ngày", "To"),
    "last": ("Trong khoảng gần nhất", "In the last"),
    "next": ("Trong khoảng sắp tới", "In the next"),
    "this_month": ("Tháng này", "This month"),
    "month": ("Tháng", "Month"),
    "period": ("Trong khoảng thời gian", "Within a period"),
    "products": ("Sản phẩm (mã SKU)", "Products (SKUs)"),
    "offers": ("Mã ưu đãi", "Offer codes"),
    "key": ("Trường", "Field"),
    "text": ("Điều kiện văn bản", "Text condition"),
    "number": ("Điều kiện số", "Number condition"),
    "date": ("Điều kiện ngày", "Date condition"),
}
"""How a builder UI names each operator, in Vietnamese (the product's own words where its
documents name them: Bằng / Không bằng, Có chứa / Không chứa, Bắt đầu với, Có / Không có giá
trị) and English; the same operator reads the same on every kind."""


@dataclass(frozen=True, slots=True)
class FilterField:
    """One field of the filter input; ``attr`` is set when it compares one attribute."""

    name: str
    kind: FieldKind
    label_vi: str
    label_en: str
    attr: Attr | None = None
    home: Profile | None = None
    suggest: Suggest | None = None

    @property
    def profiles(self) -> frozenset[Profile]:
        """The profiles the value lives on (others reach it through linked profiles, X1)."""
        if self.attr is not None:
            return ATTRS[self.attr][1]
        assert self.home is not None
        return frozenset({self.home})


_K = FieldKind
_C, _M, _S = Profile.CUSTOMER, Profile.MEMBER, Profile.SUBSCRIBER

FIELDS: tuple[FilterField, ...] = (
    FilterField("tag", _K.SET, "Thẻ", "Tag", Attr.TAG, suggest=Suggest.TAGS),
    FilterField("chat_tag", _K.SET, "Thẻ hội thoại", "Chat tag", Attr.CHAT_TAG,
                suggest=Suggest.CHAT_TAGS),
    FilterField("customer_tag", _K.SET, "Thẻ khách hàng", "Customer tag", Attr.CUSTOMER_TAG,
                suggest=Suggest.CUSTOMER_TAGS),
    FilterField("sequence", _K.SET, "Chuỗi chăm sóc", "Care sequence", Attr.SEQUENCE,
                suggest=Suggest.SEQUENCES),
    FilterField("otn_topic", _K.SET, "Chủ đề OTN đã đăng ký", "OTN topic subscribed",
                Attr.OTN_TOPIC, suggest=Suggest.OTN_TOPICS),
    FilterField("first_name", _K.TEXT, "Tên", "First name", Attr.FIRST_NAME),
    FilterField("last_name", _K.TEXT, "Họ", "Last name", Attr.LAST_NAME),
    FilterField("full_name", _K.TEXT, "Họ và tên", "Full name", Attr.FULL_NAME),
    FilterField("gender", _K.SET, "Giới tính", "Gender", Attr.GENDER, suggest=Suggest.GENDERS),
    FilterField("last_interaction", _K.DATE, "Lần tương tác cuối", "Last interaction",
                Attr.LAST_INTERACTION),
    FilterField("signup_date", _K.DATE, "Ngày đăng ký", "Sign-up date", Attr.SIGNUP_DATE),
    FilterField("store_name", _K.TEXT, "Tên cửa hàng", "Store name", Attr.STORE_NAME),
    FilterField("store_code", _K.TEXT, "Mã cửa hàng", "Store code", Attr.STORE_CODE),
    FilterField("customer_code", _K.TEXT, "Mã khách hàng", "Customer code", Attr.CUSTOMER_CODE),
    FilterField("customer_name", _K.TEXT, "Tên khách hàng", "Customer name", Attr.CUSTOMER_NAME),
    FilterField("last_source", _K.TEXT, "Nguồn cuối", "Last source", Attr.LAST_SOURCE),
    FilterField("last_page_source", _K.TEXT, "Trang nguồn cuối", "Last page source",
                Attr.LAST_PAGE_SOURCE),
    FilterField("utm_source", _K.TEXT, "utm_source", "utm_source", Attr.UTM_SOURCE),
    FilterField("utm_medium", _K.TEXT, "utm_medium", "utm_medium", Attr.UTM_MEDIUM),
    FilterField("utm_campaign", _K.TEXT, "utm_campaign", "utm_campaign", Attr.UTM_CAMPAIGN),
    FilterField("channel", _K.SET, "Kênh mua hàng", "Purchase channel", Attr.CHANNEL,
                suggest=Suggest.CHANNELS),
    FilterField("loyalty_offer_used", _K.OFFER, "Đã dùng ưu đãi thành viên",
                "Used a loyalty offer", home=HOME[OfferUsed]),
    FilterField("member_since", _K.DATE, "Ngày trở thành thành viên", "Member since",
                Attr.MEMBER_SINCE),
    FilterField("member_code", _K.TEXT, "Mã thành viên", "Member code", Attr.MEMBER_CODE),
    FilterField("purchased", _K.PURCHASE, "Đã mua (sản phẩm) trong khoảng thời gian",
                "Purchased (products) within a period", home=HOME[Purchased]),
    FilterField("not_purchased", _K.PERIOD, "Không mua trong khoảng thời gian",
                "Did not purchase within a period", home=HOME[Purchased]),
    FilterField("phone", _K.TEXT, "Số điện thoại", "Phone", Attr.PHONE),
    FilterField("email", _K.TEXT, "Email", "E-mail", Attr.EMAIL),
    FilterField("has_no_email", _K.FLAG, "Không có email", "Has no e-mail", Attr.EMAIL),
    FilterField("has_no_phone", _K.FLAG, "Không có số điện thoại", "Has no phone", Attr.PHONE),
    FilterField("carrier", _K.SET, "Nhà mạng", "Carrier", Attr.CARRIER, suggest=Suggest.CARRIERS),
    FilterField("orders_count", _K.NUMBER, "Số đơn hàng", "Orders count", Attr.ORDERS_COUNT),
    FilterField("total_spent", _K.NUMBER, "Tổng chi tiêu", "Total spent", Attr.TOTAL_SPENT),
    FilterField("last_purchase", _K.DATE, "Lần mua cuối", "Last purchase", Attr.LAST_PURCHASE),
    FilterField("points", _K.NUMBER, "Điểm khả dụng", "Available points", Attr.POINTS),
    FilterField("tier", _K.SET, "Hạng thành viên", "Member tier", Attr.TIER, suggest=Suggest.TIERS),
    FilterField("registered_member", _K.FLAG, "Đã đăng ký thành viên", "Registered member",
                home=_M),
    FilterField("address", _K.TEXT, "Địa chỉ", "Address", Attr.ADDRESS),
    FilterField("province", _K.TEXT, "Tỉnh / thành phố", "Province / city", Attr.PROVINCE,
                suggest=Suggest.PROVINCES),
    FilterField("district", _K.TEXT, "Quận / huyện", "District", Attr.DISTRICT),
    FilterField("region", _K.SET, "Khu vực (tỉnh hoặc quận)", "Region (province or district)",
                home=_C, suggest=Suggest.PROVINCES),
    FilterField("birthday", _K.BIRTHDAY, "Sinh nhật", "Birthday", home=HOME[BirthdayMonth]),
    FilterField("custom_field", _K.CUSTOM_FIELD, "Trường tùy chỉnh", "Custom field",
                home=_S, suggest=Suggest.CUSTOM_FIELDS),
)  # fmt: skip

BY_NAME: dict[str, FilterField] = {field.name: field for field in FIELDS}


def attrs_of(kind: FieldKind) -> dict[str, Attr]:
    """Input name to attribute of the fields of ``kind`` that compare one attribute."""
    return {f.name: f.attr for f in FIELDS if f.kind is kind and f.attr is not None}


def linked_from(field: FilterField, list_profile: Profile) -> bool:
    """Whether a list reaches ``field`` through a linked profile rather than its own rows.

    The member list holds each member's customer attributes too.
    """
    own = {Profile.CUSTOMER, Profile.MEMBER} if list_profile is Profile.MEMBER else {list_profile}
    return not (own & field.profiles)


GENDER_LABELS = {"female": "Nữ", "male": "Nam", "unknown": "Không rõ"}
CHANNEL_LABELS = {
    "web": "Website",
    "pos": "Cửa hàng (POS)",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "zalo": "Zalo",
    "shopee": "Shopee",
    "tiktok": "TikTok",
    "other": "Khác",
}


def suggestion_source(field: FilterField, list_profile: Profile) -> Suggest | None:
    """Where a list's suggestions for ``field`` come from: `tag` offers the tags its own rows
    take (a customer takes shop-wide tags, a subscriber its page's)."""
    if field.suggest is Suggest.TAGS:
        return Suggest.CHAT_TAGS if list_profile is Profile.SUBSCRIBER else Suggest.CUSTOMER_TAGS
    return field.suggest


def static_suggestions(source: Suggest) -> list[tuple[str, str]] | None:
    """(value, label) pairs of the enumerations fixed by the product; None for the shop's data."""
    match source:
        case Suggest.GENDERS:
            return [(g.value, GENDER_LABELS[g.value]) for g in Gender]
        case Suggest.CHANNELS:
            return [(c.value, CHANNEL_LABELS.get(c.value, c.value)) for c in Channel]
        case Suggest.CARRIERS:
            return [(code, name) for name, code in CARRIERS.items()]
    return None
