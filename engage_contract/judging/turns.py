"""Turns: the lanes share the target, and a sequence that must see no other lane's request takes it alone.

Every case of every lane goes out in a shared turn; a relation between customers (an update of one must leave the
others as they were), or a case replayed to learn whether its failure was its own, waits for the turns in flight to
end and takes the target alone meanwhile. It also counts the updates the lanes send and get answered, so that a judge
can tell whether another lane wrote while its own case was in flight."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class Turns:
    def __init__(self, lanes: int = 1) -> None:
        self.lanes = lanes
        self._condition = threading.Condition()
        self._sharing = 0
        self._alone: int | None = None  # the thread that has the target alone
        self._writes = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._condition:
            if self._alone == me:  # within its own turn alone
                pass
            else:
                while self._alone is not None:
                    self._condition.wait()
                self._sharing += 1
        mine = self._alone != me
        try:
            yield
        finally:
            if mine:
                with self._condition:
                    self._sharing -= 1
                    self._condition.notify_all()

    @contextlib.contextmanager
    def alone(self) -> Iterator[None]:
        """The target to this thread alone: no other lane's request is in flight or starts meanwhile."""
        me = threading.get_ident()
        with self._condition:
            while self._alone is not None and self._alone != me:
                self._condition.wait()
            nested = self._alone == me
            self._alone = me
            while self._sharing:
                self._condition.wait()
        try:
            yield
        finally:
            if not nested:
                with self._condition:
                    self._alone = None
                    self._condition.notify_all()

    def is_alone(self) -> bool:
        return self._alone == threading.get_ident()

    def write_event(self) -> None:
        """An update of some lane went out, or got its answer."""
        with self._condition:
            self._writes += 1

    @property
    def events(self) -> int:
        """The write events of every lane so far: two an update, one as it goes out and one as it is answered."""
        return self._writes
