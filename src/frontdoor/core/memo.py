"""A process-local memo for configuration read on every incoming message (the council, the
calendar, routing rules, email wording), so intake does not ask the database for the same
rows thousands of times a minute.

An entry lives `ttl` seconds, so an edit made in another process shows within that time; an
edit made through the ORM in this process clears the memo at once (model signals)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")


class ConfigMemo:
    every: list[ConfigMemo] = []

    def __init__(self, name: str, *, models: tuple[str, ...], ttl: float = 10.0) -> None:
        self.name = name
        self.models = models
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        for signal in (post_save, post_delete):
            for label in models:
                signal.connect(self._changed, sender=label, weak=False)
        m2m_changed.connect(self._m2m_changed, weak=False)
        ConfigMemo.every.append(self)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        value = compute()
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _changed(self, **kwargs: Any) -> None:
        self.clear()

    def _m2m_changed(self, instance: Any, **kwargs: Any) -> None:
        if type(instance)._meta.label in self.models:
            self.clear()

    @classmethod
    def clear_all(cls) -> None:
        for memo in cls.every:
            memo.clear()
