"""Per-process caches keyed by objects' identities (``infra.bounded.ByIdentity``)."""

from __future__ import annotations

from infra.bounded import ByIdentity


def test_a_value_is_found_for_the_very_objects_and_extra_values_only() -> None:
    kept: ByIdentity[str] = ByIdentity(limit=10)
    document, same_text = ["query { a }"], ["query { a }"]  # equal, not the same object
    kept.put((document,), "cost of one", 100)

    assert kept.get((document,), 100) == "cost of one"
    assert kept.get((same_text,), 100) is None
    assert kept.get((document,), 50) is None
    assert kept.get((document, same_text), 100) is None


def test_an_entry_holds_its_objects_so_their_ids_stay_theirs() -> None:
    kept: ByIdentity[int] = ByIdentity(limit=10)
    kept.put((object(),), 1)  # held by the entry: no later object can take its id
    later = [object() for _ in range(1000)]
    assert all(kept.get((o,)) is None for o in later)


def test_a_full_cache_forgets_everything_at_once() -> None:
    kept: ByIdentity[int] = ByIdentity(limit=3)
    objects = [object() for _ in range(4)]
    for i, o in enumerate(objects):
        kept.put((o,), i)
    assert [kept.get((o,)) for o in objects] == [None, None, None, 3]
