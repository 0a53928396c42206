"""Shares of a network's towns for parallel CI jobs (``invoke build --shard K/N``,
``invoke matrix``; see docs/scaling-ci.md)."""

from __future__ import annotations


def shard(towns: list[str], spec: str) -> list[str]:
    """The towns of share ``K/N`` (1 ≤ K ≤ N): every N-th town of the sorted list, from
    the K-th, so that the shares are even and the same on every machine."""
    try:
        k, n = (int(part) for part in spec.split("/"))
    except ValueError:
        raise ValueError(f"“{spec}” is not a share like 2/5") from None
    if not 1 <= k <= n:
        raise ValueError(f"“{spec}”: the share must be between 1/{n} and {n}/{n}")
    return sorted(towns)[k - 1 :: n]
