"""Segments (G1, G3, S9, X3) and saved filters (L3, L6): queries, preview and mutations."""

from graph.segments.mutations import SegmentMutation
from graph.segments.query import SegmentQuery
from graph.segments.types import ListKindEnum

__all__ = ["ListKindEnum", "SegmentMutation", "SegmentQuery"]
