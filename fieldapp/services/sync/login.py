"""An officer's login online, through HQ: HQ checks the password against its own
verifier and answers a session (for the squad leader's endpoints) and the verifier
itself — HQ's argon2 hash, never the password — which the device keeps so the officer
can log in offline on it until ``valid_until``. The desktop login (``staff.login``)
then accepts the password; an expired verifier needs one online login again.
"""

from __future__ import annotations

import json
import stat

from fieldapp.atomic import write_atomically
from fieldapp.domain.errors import DomainError
from fieldapp.services.context import ServiceContext
from fieldapp.services.staff import LoggedIn, login
from fieldapp.services.sync import db
from fieldapp.services.sync.errors import refused_text
from fieldapp.services.sync.link import client_for, link_dir, load_link
from fieldapp.services.sync.pull import pull_all
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient, HqRefused, HqUnreachable
from fieldapp.sync.protocol import LoginRequest, LoginResponse

SESSION_FILE = "session.json"


def online_login(*, ctx: ServiceContext, certificate_no: str, password: str,
                 client: HqClient | None = None) -> LoggedIn:
    """Log in through HQ, cache HQ's verifier, then log in on the device as usual."""
    own = client is None
    client = client or client_for(ctx)
    try:
        answer = client.login(LoginRequest(certificate_no=certificate_no.strip(),
                                           password=password))
        _cache(ctx, client, answer)
    except HqRefused as refused:
        raise DomainError("HQ refused the login: {reason}",
                          reason=refused_text(refused)) from None
    except HqUnreachable:
        raise DomainError("HQ does not answer: log in offline with the password this "
                          "device keeps") from None
    finally:
        if own:
            client.close()
    return login(ctx=ctx, certificate_no=certificate_no, password=password)


def _cache(ctx: ServiceContext, client: HqClient, answer: LoginResponse) -> None:
    conn = db.connect(ctx)
    try:
        if not queries.officer_known(conn, officer_id=answer.officer.id):
            pull_all(ctx, client, conn)  # the officer comes down with the reference data
        with db.transaction(conn):
            # Not through the outbox: a verifier never travels from the device.
            updated = conn.execute(
                "UPDATE officer SET password_hash = ?, failed_logins = 0, locked_until = "
                "NULL WHERE id = ?", (answer.verifier.hash, answer.officer.id)).rowcount
            if not updated:
                raise DomainError("HQ's officer {name} is not on this device yet: sync "
                                  "first", name=answer.officer.name)
            conn.execute("INSERT INTO hq_verifier (officer_id, issued_at, valid_until) VALUES"
                         " (?, ?, ?) ON CONFLICT(officer_id) DO UPDATE SET issued_at ="
                         " excluded.issued_at, valid_until = excluded.valid_until",
                         (answer.officer.id, answer.verifier.issued_at,
                          answer.verifier.valid_until))
    finally:
        conn.close()
    save_session(ctx, answer.session_token, answer.officer.id, answer.expires_at)


def save_session(ctx: ServiceContext, token: str, officer_id: str, expires_at: str) -> None:
    """The officer's HQ session (for the leader's endpoints), owner-only like the token."""
    link_dir(ctx.store.data_dir).mkdir(parents=True, exist_ok=True)
    write_atomically(link_dir(ctx.store.data_dir) / SESSION_FILE, json.dumps(
        {"token": token, "officer_id": officer_id, "expires_at": expires_at}).encode(),
        mode=stat.S_IRUSR | stat.S_IWUSR)


def leader_client(ctx: ServiceContext) -> HqClient:
    """A client carrying the session of the officer who last logged in online."""
    path = link_dir(ctx.store.data_dir) / SESSION_FILE
    if load_link(ctx.store.data_dir) is None or not path.is_file():
        raise DomainError("log in online first: this needs a squad leader's HQ session")
    client = client_for(ctx)
    client.session_token = str(json.loads(path.read_text("utf-8"))["token"])
    return client
