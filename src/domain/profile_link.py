"""X1: which contacts cannot link profiles because several customers share them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A normalised phone or e-mail held by several customers of one shop.

    Nothing is linked on it: a subscriber with this contact cannot be told apart between
    ``customer_ids``, so ``unlinked_subscriber_ids`` (those still without a customer) are
    reported instead of guessed.
    """

    kind: ContactKind
    value: str
    customer_ids: tuple[int, ...]
    unlinked_subscriber_ids: tuple[int, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind.value, self.value)
