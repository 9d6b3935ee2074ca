"""Hybrid logical clock (HLC) for mutable records.

Mutable records (a subject's profile, a case's status) carry an HLC stamp per change so
the sync can merge them field by field. A stamp is ``(wall_ms, counter, device)`` and is
encoded as a fixed-width string that sorts in causal order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Hlc:
    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.wall_ms:015d}-{self.counter:05d}-{self.device}"

    @staticmethod
    def decode(text: str) -> Hlc:
        wall, counter, device = text.split("-", 2)
        return Hlc(int(wall), int(counter), device)


def tick(last: Hlc | None, now_ms: int, device: str) -> Hlc:
    """The stamp for a local change made at ``now_ms`` after ``last``."""
    if last is None or now_ms > last.wall_ms:
        return Hlc(now_ms, 0, device)
    return Hlc(last.wall_ms, last.counter + 1, device)


def receive(last: Hlc | None, remote: Hlc, now_ms: int, device: str) -> Hlc:
    """The local clock after seeing a remote stamp (keeps causality across devices)."""
    candidates = [now_ms, remote.wall_ms] + ([last.wall_ms] if last else [])
    wall = max(candidates)
    counter = 0
    if last is not None and wall == last.wall_ms:
        counter = max(counter, last.counter + 1)
    if wall == remote.wall_ms:
        counter = max(counter, remote.counter + 1)
    return Hlc(wall, counter, device)
