"""The allocator keeps the photo check's large buffers (screening.photos.memory).

Each case runs in a fresh Python process, as `liveq serve` does: the setting must come
before any thread starts, and pytest's process has threads already. Linux (glibc, /proc),
as liveq's servers run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A 100 MB buffer made, filled and freed in a worker thread (where the check's networks
# run); printed: the setting's result, then how many MB of it stay resident once freed.
_PROGRAM = textwrap.dedent(
    """
    import mmap, sys, threading
    import numpy as np
    from liveq.screening.photos.memory import keep_large_buffers

    kept = keep_large_buffers() if sys.argv[1] == "keep" else None

    def resident():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * mmap.PAGESIZE

    def work():
        global kept_mb
        before = resident()
        buffer = np.empty(100 << 20, np.uint8)
        buffer.fill(1)
        del buffer
        kept_mb = (resident() - before) >> 20

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    print(kept, kept_mb)
    """
)


def _kept_mb(mode: str) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", _PROGRAM, mode], capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0], int(out[1])


def test_a_freed_large_buffer_stays_for_the_next_photo():
    kept, kept_mb = _kept_mb("keep")
    assert kept == "True"
    assert kept_mb >= 95, f"only {kept_mb} MB of a freed 100 MB buffer kept"
    # By default it goes back to the kernel, and the next one is faulted in page by page.
    _, default_mb = _kept_mb("default")
    assert default_mb < 5
