"""The exports' background writer (export.atomic.Background): jobs run in order on one
thread, at most `depth` of them wait at once (memory stays flat), and a failure, in a job
or in the code that submits them, stops the rest and reaches the caller."""

from __future__ import annotations

import threading

import pytest

from annotator.export.atomic import Background


def test_jobs_run_in_order_and_all_by_the_end_of_the_block():
    done: list[int] = []
    with Background() as bg:
        for i in range(50):
            bg.submit(done.append, i)
    assert done == list(range(50))


def test_the_file_is_synced_between_chunks(tmp_path):
    path = tmp_path / "out.txt"
    with path.open("w", encoding="utf-8") as fh, Background(sync=fh, sync_every=2) as bg:
        for i in range(5):
            bg.submit(fh.write, f"{i}\n")
    assert path.read_text(encoding="utf-8") == "0\n1\n2\n3\n4\n"


def test_a_failing_job_reaches_the_caller_and_the_later_jobs_do_not_run():
    done: list[int] = []

    def job(i: int) -> None:
        if i == 3:
            raise OSError(28, "No space left on device")
        done.append(i)

    with pytest.raises(OSError, match="No space left"), Background() as bg:
        for i in range(20):
            bg.submit(job, i)
    assert done == [0, 1, 2]


def test_an_error_in_the_block_reaches_the_caller_after_the_writer_stops():
    done: list[int] = []
    with pytest.raises(ValueError, match="formatting failed"), Background(depth=3) as bg:
        for i in range(3):
            bg.submit(done.append, i)
        raise ValueError("formatting failed")
    # (the jobs still queued when it failed are dropped: those done are the first ones)
    assert done == [0, 1, 2][: len(done)]
    assert not any(t.name == "export-write" for t in threading.enumerate())


def test_no_more_than_depth_jobs_wait_at_once():
    gate = threading.Event()
    submitted: list[int] = []
    blocked = threading.Event()

    def feed(bg: Background) -> None:
        for i in range(5):
            bg.submit(gate.wait, 10)
            submitted.append(i)
        blocked.set()

    with Background(depth=2) as bg:
        feeder = threading.Thread(target=feed, args=(bg,))
        feeder.start()
        # Two jobs held at the gate fill the writer: the third submit waits for room.
        assert not blocked.wait(0.3)
        assert len(submitted) == 2
        gate.set()
        feeder.join(10)
    assert submitted == [0, 1, 2, 3, 4]
