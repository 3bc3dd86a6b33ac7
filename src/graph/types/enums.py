"""Domain enums as GraphQL enums."""

from __future__ import annotations

import strawberry

from domain import conversation, customer, staff, subscriber

Gender = strawberry.enum(customer.Gender, description="Gender as the customer gave it.")
Channel = strawberry.enum(
    customer.Channel, description="Sales channel: web store, point of sale, or a social channel."
)
PageChannel = strawberry.enum(subscriber.PageChannel, description="Social channel of a page.")
ConnectionState = strawberry.enum(
    subscriber.ConnectionState,
    description="Whether a page is connected, lost its connection, or was disconnected.",
)
ThreadKind = strawberry.enum(
    conversation.ThreadKind, description="A private message thread or a comment thread."
)
Direction = strawberry.enum(
    conversation.Direction, description="IN from the person, OUT from the shop."
)
MessageType = strawberry.enum(conversation.MessageType, description="What a message carries.")
Role = strawberry.enum(
    staff.Role, description="A staff member's role; it decides what they may do."
)
