"""The divergence check's local side: per record kind, the count and the XOR of
``record_digest`` over the versions this device holds as HQ should hold them.

Kept incrementally (a first sync of 100,000 records must not be followed by hashing them
all again): a version is *folded in* when it is applied from HQ or when HQ accepts it
from this device; for a mutable record the version folded before is folded out again
(``sync_digest`` remembers it). Legal records are folded once (they have one version).
A rejected change is never folded: HQ's state applied beside it is. Records HQ never
had (demo data, work from before enrollment still waiting) are not folded, as HQ does not
count them either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fieldapp.store.entities import BY_ENTITY
from fieldapp.sync.protocol import Entity, record_digest

Ref = tuple[str, str, int, str]  # entity, entity id, version, sha256 (hex)


def fold(conn: Any, refs: Iterable[Ref]) -> None:
    """Fold record versions into the kinds' checksums (a DB-API connection, inside the
    caller's transaction)."""
    by_entity: dict[str, list[Ref]] = {}
    for ref in refs:
        by_entity.setdefault(ref[0], []).append(ref)
    for entity, group in by_entity.items():
        mutable = BY_ENTITY[Entity(entity)].mutable
        count, acc = _aggregate(conn, entity)
        old = _counted(conn, entity, [r[1] for r in group]) if mutable else {}
        for _e, entity_id, version, sha in group:
            before = old.get(entity_id)
            if before == (version, sha):
                continue
            if before is not None:
                acc ^= record_digest(entity, entity_id, before[0], before[1])
            else:
                count += 1
            acc ^= record_digest(entity, entity_id, version, sha)
            if mutable:
                old[entity_id] = (version, sha)
        if mutable:
            conn.executemany(
                "INSERT INTO sync_digest (entity, entity_id, version, sha256) VALUES (?,?,?,?)"
                " ON CONFLICT(entity, entity_id) DO UPDATE SET version = excluded.version,"
                " sha256 = excluded.sha256",
                [(entity, i, v, s) for i, (v, s) in old.items()])
        conn.execute("INSERT INTO sync_checksum (entity, count, digest) VALUES (?, ?, ?)"
                     " ON CONFLICT(entity) DO UPDATE SET count = excluded.count,"
                     " digest = excluded.digest", (entity, count, f"{acc:032x}"))


def _aggregate(conn: Any, entity: str) -> tuple[int, int]:
    row = conn.execute("SELECT count, digest FROM sync_checksum WHERE entity = ?",
                       (entity,)).fetchone()
    return (int(row[0]), int(row[1], 16)) if row else (0, 0)


def _counted(conn: Any, entity: str, ids: list[str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        part = unique[start:start + 500]
        marks = ",".join("?" * len(part))
        for entity_id, version, sha in conn.execute(
                f"SELECT entity_id, version, sha256 FROM sync_digest WHERE entity = ? AND "
                f"entity_id IN ({marks})", (entity, *part)):
            out[entity_id] = (int(version), str(sha))
    return out


def local_checksums(conn: Any) -> dict[str, tuple[int, str]]:
    """Per kind: (count, digest) as folded so far."""
    return {str(e): (int(c), str(d)) for e, c, d in conn.execute(
        "SELECT entity, count, digest FROM sync_checksum")}


def forget(conn: Any, entities: Iterable[str]) -> None:
    """Start the kinds' checksums again (before a full resync of them)."""
    for entity in entities:
        conn.execute("DELETE FROM sync_checksum WHERE entity = ?", (entity,))
        conn.execute("DELETE FROM sync_digest WHERE entity = ?", (entity,))
