"""Every engine's promise that its driver's exceptions never leave it: one mixin for both.

A subclass names its driver's error class (``driver_error``) and how one becomes the project's
one-line ``StoreError`` (``store_error_of``); every public method it defines or inherits is then
wrapped, generators included (an export stream fails mid-way as a ``StoreError`` too).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, ClassVar

from dialdeck.errors import StoreError


class ErrorsAreStoreErrors:
    driver_error: ClassVar[type[Exception]] = Exception

    def store_error_of(self, exc: Exception) -> StoreError:
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in dir(cls):
            attr = inspect.getattr_static(cls, name)
            if (name.startswith("_") or name == "store_error_of" or not inspect.isfunction(attr)
                    or getattr(attr, "_translated", False)):
                continue
            setattr(cls, name, _translated(attr))


def _translated(method: Any) -> Any:
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def stream(self: ErrorsAreStoreErrors, *args: Any, **kwargs: Any) -> Any:
            try:
                yield from method(self, *args, **kwargs)
            except self.driver_error as exc:
                raise self.store_error_of(exc) from None
        stream._translated = True  # type: ignore[attr-defined]  # the mark __init_subclass__ reads back
        return stream

    @functools.wraps(method)
    def call(self: ErrorsAreStoreErrors, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except self.driver_error as exc:
            raise self.store_error_of(exc) from None
    call._translated = True  # type: ignore[attr-defined]  # the mark __init_subclass__ reads back
    return call
