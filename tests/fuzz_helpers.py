"""What the fuzz suites share (tests/test_fuzz_inputs.py, tests/test_fuzz_pilots.py): the address
space a run may take, and Hypothesis settings for inputs that are slow or large to draw."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, settings

EXTRA_MEMORY = 1024 * 2**20


@contextmanager
def address_space_limit(extra: int = EXTRA_MEMORY) -> Iterator[None]:
    """The soft address-space limit lowered to what the process uses now plus ``extra`` bytes
    (never above the hard limit), and put back afterwards: a fuzzed input that makes the code
    allocate without bound fails the run with a MemoryError instead of swapping the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * resource.getpagesize()
    limit = used + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def fuzz_settings(max_examples: int) -> settings:
    """``max_examples`` examples, no deadline, and no complaint that drawing them is slow or
    large (the inputs are meant to be)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
