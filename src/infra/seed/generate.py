"""One chunk of the demo shop, reproducible from the seed and the chunk's index alone."""

from __future__ import annotations

import random

from infra.seed.catalog import Catalog, Rows
from infra.seed.people import generate_people
from infra.seed.social import generate_social


def generate_chunk(cat: Catalog, index: int) -> Rows:
    """Rows of chunk ``index`` with chunk-local ids (see ``catalog.shift``)."""
    rng = random.Random(f"customer-hub:{cat.seed}:{index}")
    people = generate_people(cat, index, rng)
    rows: Rows = {
        "customer": people.customer,
        "order": people.order,
        "order_line": people.order_line,
        "member": people.member,
        "point_entry": people.point_entry,
        "offer_use": people.offer_use,
        "customer_tag": people.customer_tag,
    }
    rows.update(generate_social(cat, index, rng, people))
    return rows
