"""The write queue both databases share: batches, each caller answered with its own outcome,
a failed commit answered to every caller of its batch and not to the next batch."""

from __future__ import annotations

import asyncio

import pytest

from liveq.storage.group_commit import WriteQueue


class Ledger:
    """A commit that records each batch it is given; a job named "fail-commit" makes the
    whole commit fail, a job named "bad" fails on its own."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def commit(self, jobs: list[str]) -> list[tuple[bool, object]]:
        self.batches.append(list(jobs))
        if "fail-commit" in jobs:
            raise OSError("disk full")
        return [(False, ValueError(job)) if job == "bad" else (True, job.upper())
                for job in jobs]


async def test_jobs_queued_together_commit_in_one_batch_and_each_caller_gets_its_result():
    ledger = Ledger()
    writes = WriteQueue(ledger.commit)
    writes.start()
    results = await asyncio.gather(*(writes.submit(f"job{i}") for i in range(5)),
                                   writes.submit("bad"), return_exceptions=True)
    await writes.stop()
    assert results[:5] == ["JOB0", "JOB1", "JOB2", "JOB3", "JOB4"]
    assert isinstance(results[5], ValueError) and str(results[5]) == "bad"
    assert ledger.batches == [["job0", "job1", "job2", "job3", "job4", "bad"]]


async def test_a_failed_commit_fails_its_batch_only_and_the_queue_goes_on():
    ledger = Ledger()
    writes = WriteQueue(ledger.commit)
    writes.start()
    failed = await asyncio.gather(writes.submit("a"), writes.submit("fail-commit"),
                                  return_exceptions=True)
    assert all(isinstance(r, OSError) for r in failed)
    assert await writes.submit("b") == "B"
    await writes.stop()
    assert ledger.batches == [["a", "fail-commit"], ["b"]]


async def test_a_caller_that_gave_up_is_not_written_and_stop_commits_what_is_queued():
    ledger = Ledger()
    writes = WriteQueue(ledger.commit)
    writes.start()
    gone = asyncio.ensure_future(writes.submit("gone"))
    kept = asyncio.ensure_future(writes.submit("kept"))
    await asyncio.sleep(0)  # both queued, the writer not yet run
    gone.cancel()
    await writes.stop()
    assert kept.result() == "KEPT"
    assert ledger.batches == [["kept"]]


async def test_writing_before_start_or_after_stop_is_refused():
    writes = WriteQueue(Ledger().commit)
    with pytest.raises(RuntimeError, match="not open"):
        await writes.submit("early")
    writes.start()
    await writes.stop()
    with pytest.raises(RuntimeError, match="not open"):
        await writes.submit("late")
