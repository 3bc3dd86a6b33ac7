"""Pure rules of tags, merge mode, page connections and channels (T2, C1, C5, C10–C13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.channel import check_message_type, check_order_creation
from domain.conversation import MessageType
from domain.errors import DomainError, ErrorCode
from domain.inbox import (
    InboxFilter,
    RowPosition,
    check_merge_selection,
    check_merge_switch,
    introduction,
    refuse_bulk_in_merge_mode,
)
from domain.page import PageAction, check_allowed, next_state
from domain.staff import Principal, Role
from domain.subscriber import ConnectionState, PageChannel
from domain.tag import Tag, clean_name, unique_by_name


def tag(name: str, page_id: int) -> Tag:
    return Tag(
        shop_id=1,
        id=page_id * 100 + len(name),
        page_id=page_id,
        folder_id=None,
        name=name,
        color=None,
    )


@pytest.mark.spec("C5")
def test_one_tag_per_name_across_pages_first_seen_wins() -> None:
    tags = [tag("Hết hàng", 1), tag("Giá cao", 1), tag("hết hàng", 2), tag("Spam", 2)]
    assert [(t.name, t.page_id) for t in unique_by_name(tags)] == [
        ("Hết hàng", 1),
        ("Giá cao", 1),
        ("Spam", 2),
    ]


@pytest.mark.spec("C1")
def test_merge_selection_is_one_to_twenty_distinct_pages() -> None:
    assert check_merge_selection([3, 3, 4], field="f") == (3, 4)
    assert len(check_merge_selection(list(range(20)), field="f")) == 20
    with pytest.raises(DomainError) as too_many:
        check_merge_selection(list(range(21)), field="f")
    assert too_many.value.code is ErrorCode.LIMIT_EXCEEDED
    with pytest.raises(DomainError):
        check_merge_selection([], field="f")


@pytest.mark.spec("C11", "C13")
@pytest.mark.parametrize("role", list(Role))
def test_role_rules(role: Role) -> None:
    principal = Principal(shop_id=1, staff_id=1, role=role)
    merge_roles = {
        Role.OWNER,
        Role.SOCIAL_ADMIN,
        Role.CHAT_STAFF,
        Role.DEFAULT,
        Role.DEFAULT_ADVANCED,
    }
    page_roles = {Role.OWNER, Role.SHOP_ADMIN, Role.SOCIAL_ADMIN, Role.DEFAULT}
    if role in merge_roles:
        check_merge_switch(principal)
    else:
        with pytest.raises(DomainError):
            check_merge_switch(principal)
    check_allowed(principal, PageAction.DISMISS)
    for action in (PageAction.RECONNECT, PageAction.DISCONNECT):
        if role in page_roles:
            check_allowed(principal, action)
        else:
            with pytest.raises(DomainError):
                check_allowed(principal, action)


@pytest.mark.spec("C13")
def test_connection_states_and_the_introduction_state() -> None:
    assert next_state(ConnectionState.LOST, PageAction.RECONNECT) is ConnectionState.CONNECTED
    assert next_state(ConnectionState.CONNECTED, PageAction.MARK_LOST) is ConnectionState.LOST
    with pytest.raises(DomainError):
        next_state(ConnectionState.DISCONNECTED, PageAction.MARK_LOST)
    assert introduction([]) is True
    assert introduction([ConnectionState.DISCONNECTED]) is True
    assert introduction([ConnectionState.DISCONNECTED, ConnectionState.LOST]) is False


@pytest.mark.spec("C12")
def test_bulk_actions_only_outside_merge_mode() -> None:
    refuse_bulk_in_merge_mode(False, 5, field="f")
    refuse_bulk_in_merge_mode(True, 1, field="f")
    with pytest.raises(DomainError):
        refuse_bulk_in_merge_mode(True, 2, field="f")


@pytest.mark.spec("C10")
def test_shopee_capabilities() -> None:
    check_message_type(PageChannel.SHOPEE, MessageType.EMOJI, field="f")
    check_message_type(PageChannel.FACEBOOK, MessageType.STICKER, field="f")
    with pytest.raises(DomainError) as refused:
        check_message_type(PageChannel.SHOPEE, MessageType.STICKER, field="f")
    assert refused.value.code is ErrorCode.UNSUPPORTED_BY_CHANNEL
    with pytest.raises(DomainError):
        check_order_creation(PageChannel.SHOPEE, field="f")
    check_order_creation(PageChannel.ZALO, field="f")


def test_names_cursors_and_ranges() -> None:
    assert clean_name("  Khách   quen ", field="f") == "Khách quen"
    with pytest.raises(DomainError):
        clean_name("x" * 65, field="f")
    position = RowPosition(datetime(2026, 1, 1, 3, tzinfo=UTC), 42)
    assert RowPosition.decode(position.encode()) == position
    assert RowPosition.decode("garbage") is None
    with pytest.raises(DomainError):
        InboxFilter(since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC))
