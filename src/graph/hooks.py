"""strawberry's extension runner, with each extension class's hooks wrapped once.

For every request, strawberry's runner looks at each of the schema's extensions once per stage
(operation, parse, validation, execution), finds what form its hook has and wraps it in a new
context manager factory (``contextlib.contextmanager`` over a bound method, which copies the
function's name and documents each time): for the schema's eleven extensions, 8 % of the
instructions of a request that runs one count (0.24 M of 2.9 M). A hook's form is a property
of its class, so here the factory is made once per class and stage, and a request only binds
it to its extension. What runs, in which order, and how errors pass through the hooks are
strawberry's own (its context managers and exit stacks, unchanged); the differential test in
``tests/unit/test_hooks.py`` holds the two runners to the same events.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

Factory = Callable[[SchemaExtension], Any]
"""A hook's context manager for an extension instance."""

_FACTORIES: dict[tuple[type[SchemaExtension], str], tuple[Factory, bool] | None] = {}


def _factory(extension: type[SchemaExtension], stage: str) -> tuple[Factory, bool] | None:
    """The context manager factory of ``extension``'s hook for ``stage`` and whether it is
    asynchronous; None where the class keeps ``SchemaExtension``'s empty hook. The forms are
    those strawberry's runner accepts, with its error for anything else."""
    hook = getattr(extension, stage)
    if hook is getattr(SchemaExtension, stage):
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    if inspect.iscoroutinefunction(hook):

        @contextlib.asynccontextmanager
        async def awaited(instance: SchemaExtension) -> AsyncIterator[None]:
            await hook(instance)
            yield

        return awaited, True
    if callable(hook):

        @contextlib.contextmanager
        def called(instance: SchemaExtension) -> Iterator[None]:
            hook(instance)
            yield

        return called, False
    raise ValueError(f"Hook {stage} on {extension} must be callable, received {hook!r}")


class _Bound(ExtensionContextManagerBase):
    """A stage's hooks, from the factories made once for each extension class."""

    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        key = (type(extension), self.HOOK_NAME)
        try:
            made = _FACTORIES[key]
        except KeyError:
            made = _FACTORIES[key] = _factory(type(extension), self.HOOK_NAME)
        if made is None:
            return None
        factory, is_async = made
        return WrappedHook(extension=extension, hook=partial(factory, extension), is_async=is_async)


class _Operation(_Bound, OperationContextManager):
    pass


class _Parsing(_Bound, ParsingContextManager):
    pass


class _Validation(_Bound, ValidationContextManager):
    pass


class _Executing(_Bound, ExecutingContextManager):
    pass


class HookRunner(SchemaExtensionsRunner):
    """The runner a ``HookedSchema`` gives each request (see the module text). A
    subscription's stream results keep strawberry's own runner; this API has none."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        """What the extensions add to a response's ``extensions``, asked only of those whose
        class has results to give (``SchemaExtension.get_results`` gives none)."""
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if type(extension).get_results is not SchemaExtension.get_results:
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data


class HookedSchema(strawberry.Schema):
    """A schema whose requests run their extensions through ``HookRunner``."""

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> HookRunner:
        return HookRunner(execution_context=execution_context, extensions=extensions)
