"""Conditions compiled to SQLAlchemy expressions: one WHERE clause, no SQL strings.

Negation is pushed down to the leaves (``Not(And(a, b))`` becomes ``not a OR not b``) so the
positive forms stay index-friendly; a negated leaf is ``NOT coalesce(leaf, false)``, which makes
it the exact complement of the positive leaf even when the column is NULL.
"""

from infra.filter_sql.compiler import where
from infra.filter_sql.scope import Scope, scope_for

__all__ = ["Scope", "scope_for", "where"]
