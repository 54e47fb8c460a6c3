"""The run's pacer, shared by its lanes, and the tallies it adds up."""

from __future__ import annotations

import threading
import time

from engage_contract.http.pacing import Pacer
from engage_contract.judging.exchange import Body
from engage_contract.judging.judge import Tally


def test_no_more_requests_at_once_than_allowed() -> None:
    pacer = Pacer(max_in_flight=2)
    lock, now, most = threading.Lock(), [0], [0]

    def request() -> None:
        with pacer.turn(paced=True):
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
            time.sleep(0.02)
            with lock:
                now[0] -= 1

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 2 and pacer.sent == 8  # noqa: PLR2004


def test_requests_are_spaced_for_the_whole_run() -> None:
    pacer = Pacer(per_minute=600, max_in_flight=4)  # one every 0.1 s, whichever lane sends it
    started = time.monotonic()

    def request() -> None:
        with pacer.turn(paced=True):
            pass

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 0.29  # noqa: PLR2004


def test_lanes_tallies_add_up_and_the_first_failure_is_the_earliest() -> None:
    first, second = Tally(cases=3, first_failure_at=40), Tally(cases=2, first_failure_at=12)
    first.bodies[Body.VALID] += 2
    second.bodies[Body.VALID] += 1
    total = Tally.of_lanes([first, second, Tally()])
    assert total.cases == 5 and total.bodies[Body.VALID] == 3 and total.first_failure_at == 12  # noqa: PLR2004
