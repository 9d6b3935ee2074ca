"""Enrollment: a one-time code from HQ becomes this device's token (``fieldapp enroll``).

The device keeps its own id and Ed25519 key; HQ records them and answers the token, the
squad and HQ's receipt key. After enrollment HQ is the source of truth for the agency,
squads, officers and the catalogue: they come down in the first sync.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.errors import DomainError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext, authorize
from fieldapp.services.sync import db
from fieldapp.services.sync.errors import refused_text
from fieldapp.services.sync.link import HqLink, load_link, save_link, save_token
from fieldapp.store import receipts
from fieldapp.store.audit import utc_text
from fieldapp.store.keys import public_key_text
from fieldapp.sync.client import ClientSettings, HqClient, HqRefused, HqUnreachable
from fieldapp.sync.protocol import EnrollRequest


@dataclass(frozen=True)
class Enrolled:
    server: str
    squad_code: str
    squad_name: str
    device_id: str
    changed: frozenset[ChangeKind] = frozenset({ChangeKind.SYNC})


def enroll(*, ctx: ServiceContext, server: str, code: str, device_name: str = "",
           ca_bundle: str = "", proxy: str = "", officer_id: str = "") -> Enrolled:
    """Enroll this device with HQ at ``server`` using a one-time ``code``.

    A device still being set up may enroll without an officer (the code is HQ's say-so);
    afterwards only a squad leader may move it to another HQ."""
    server = server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        from fieldapp.domain.errors import ValidationError

        raise ValidationError("server", "must start with https:// (or http:// on a test "
                              "network)")
    if load_link(ctx.store.data_dir) is not None:
        raise DomainError("this device is already enrolled with HQ")
    with ctx.read() as session:
        authorize(session, officer_id, Action.ENROLL_DEVICE if officer_id else Action.SET_UP)
    key = ctx.store.device_key(create=True)
    assert key is not None
    client = HqClient(ClientSettings(base_url=server, ca_bundle=ca_bundle, proxy=proxy))
    request = EnrollRequest(code=code.strip(), device_id=ctx.device_id,
                            device_name=(device_name or platform.node() or "fieldapp")[:200],
                            public_key=public_key_text(key.public_key()))
    try:
        answer = client.enroll(request)
    except HqRefused as refused:
        raise DomainError("HQ refused the enrollment: {reason}",
                          reason=refused_text(refused)) from None
    except HqUnreachable:
        raise DomainError("HQ at {server} does not answer: check the address and the "
                          "network", server=server) from None
    finally:
        client.close()
    now = ctx.now()
    save_token(ctx.store.data_dir, answer.device_token)
    save_link(ctx.store.data_dir, HqLink(
        server=server, squad_id=answer.squad.id, squad_code=answer.squad.code,
        squad_name=answer.squad.name, agency_id=answer.agency_id,
        hq_key_id=answer.hq_key_id, enrolled_at=utc_text(now), ca_bundle=ca_bundle,
        proxy=proxy))
    with ctx.store.write(now=now, device_id=ctx.device_id, officer_id=officer_id,
                         new_id=ctx.new_id) as tx:
        for key_name, value in ((receipts.HQ_KEY, answer.hq_public_key),
                                ("hq_key_id", answer.hq_key_id)):
            tx.conn.exec_driver_sql(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO "
                "UPDATE SET value = excluded.value", (key_name, value))
        tx.conn.exec_driver_sql("DELETE FROM sync_state WHERE key IN (?, ?)",
                                (db.REVOKED, db.CURSOR))
        tx.audit("sync.enroll", "device", ctx.device_id, {
            "server": server, "squad": answer.squad.code, "hq_key_id": answer.hq_key_id})
    return Enrolled(server, answer.squad.code, answer.squad.name, ctx.device_id)


def enrolled(ctx: ServiceContext) -> HqLink | None:
    """This device's link to HQ, or None when it works alone."""
    return load_link(ctx.store.data_dir)
