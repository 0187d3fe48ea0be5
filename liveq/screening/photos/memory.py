"""glibc's allocator told to keep the photo check's large buffers for the next photo.

A check of a 12 MP photo allocates and frees buffers of tens to hundreds of megabytes many
times over (copies of the photo, the networks' inputs and outputs). By default glibc gives
each one back to the kernel when it is freed: over 32 MB it is its own mapping, and a
thread's own arena holds nothing over 64 MB at all. The next one is mapped again and each
of its pages faulted in and zeroed by the kernel, in two threads at once: 2-6 s of system
time a check (scripts/bench_photos.py, docs/screening.md). One arena for every thread and
thresholds above those buffers keep them, and a check uses only user time once warm.

The same settings can be given as environment variables (MALLOC_ARENA_MAX and others), but
only before the process starts; ``mallopt`` sets them from inside, so ``liveq`` needs no
wrapper. No maintained package does this; it is four calls.
"""

from __future__ import annotations

import ctypes

# mallopt's parameters (glibc's malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -2, -3, -8
# A buffer under this many bytes comes from the heap and goes back to it, above the buffers
# a check makes (the detector's input for the 3000-pixel copy alone is about 80 MB).
MMAP_THRESHOLD = 512 << 20
# Free memory at the heap's top is given back to the kernel only past this; asked of the
# kernel this much at a time.
TRIM_THRESHOLD = 1 << 30
TOP_PAD = 256 << 20


def keep_large_buffers() -> bool:
    """Set glibc's allocator to keep freed large buffers. Call it before the process
    starts a thread: a thread that has made its own arena keeps it. False where the C
    library is not glibc (nothing is changed)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process runs on
    except (OSError, AttributeError, TypeError):
        return False
    return all(
        mallopt(parameter, value) == 1
        for parameter, value in (
            (_M_ARENA_MAX, 1),
            (_M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            (_M_TOP_PAD, TOP_PAD),
        )
    )
