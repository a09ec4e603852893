"""`gather`: a batch of requests that fails leaves none of them running behind the caller."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from personaco_tui.engines.base import gather


def test_results_come_in_order():
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(lambda i=i: (time.sleep(0.01 * (3 - i)), i)[1]) for i in range(3)]
        assert gather(futures) == [0, 1, 2]


def test_a_failure_waits_for_the_running_requests_and_cancels_the_rest():
    started, finished = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        time.sleep(0.3)  # a request still on its way when its sibling fails
        finished.set()
        return "late"

    def fail() -> str:
        started.wait(5)
        raise ValueError("the server refused it")

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(slow), pool.submit(fail), pool.submit(slow), pool.submit(slow)]
        with pytest.raises(ValueError, match="refused"):
            gather(futures)
        assert finished.is_set()  # the running one ended before the call raised
        assert all(f.done() for f in futures)
        assert futures[3].cancelled()  # never started: nothing more reaches the server
