"""Conditions compiled to SQLAlchemy expressions: one WHERE clause, no SQL strings.

Negation is pushed down to the leaves (``Not(And(a, b))`` becomes ``not a OR not b``) so the
positive forms stay index-friendly; a negated leaf is ``NOT coalesce(leaf, false)``, which makes
it the exact complement of the positive leaf even when the column is NULL.

A condition has two forms: ``where``, the clause of a page, and ``whole_set``, the clause and
left joins of a count, where conditions on other rows under an OR or a NOT are joined sets
instead of EXISTS subplans, so that PostgreSQL can count in parallel; ``filter_clauses`` gives
several conditions counted side by side in one statement (aggregate FILTER clauses).
"""

from infra.filter_sql.compiler import WholeSet, filter_clauses, where, whole_set
from infra.filter_sql.scope import Scope, scope_for

__all__ = ["Scope", "WholeSet", "filter_clauses", "scope_for", "where", "whole_set"]
