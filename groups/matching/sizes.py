"""Group sizes: how ``n`` people split into groups of ``min_size``..``max_size``."""

from __future__ import annotations


def _group_count_range(n: int, min_size: int, max_size: int) -> tuple[int, int]:
    return -(-n // max_size), n // min_size


def _even_plan(n: int, groups: int) -> list[int]:
    if groups == 0:
        return []
    q, r = divmod(n, groups)
    return [q + 1] * r + [q] * (groups - r)


def size_plan(n: int, min_size: int, max_size: int) -> list[int] | None:
    """Group sizes (descending) splitting ``n`` exactly, or None if impossible.

    Uses the fewest groups (so groups are as large as allowed) and spreads people evenly,
    e.g. 13 -> [5, 4, 4], 16 -> [4, 4, 4, 4].  ``size_plan(0, ...) == []``.
    """
    if n < 0 or min_size < 1 or max_size < min_size:
        return None
    lo, hi = _group_count_range(n, min_size, max_size)
    return _even_plan(n, lo) if lo <= hi else None


def _largest_splittable(n: int, min_size: int, max_size: int) -> int:
    while n > 0 and size_plan(n, min_size, max_size) is None:
        n -= 1
    return n


def _off_size(n: int, min_size: int, max_size: int) -> int | None:
    """Size of the single off-size group that lets everyone be placed (closest to range,
    ties broken towards the larger group), or None."""
    best: tuple[int, int] | None = None
    for s in range(2, n + 1):
        if min_size <= s <= max_size or size_plan(n - s, min_size, max_size) is None:
            continue
        key = (min_size - s if s < min_size else s - max_size, -s)
        if best is None or key < best:
            best = key
    return None if best is None else -best[1]
