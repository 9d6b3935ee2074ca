"""One sync of a data directory in its own process (the fault runs kill it)."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldapp.services.context import open_context
from fieldapp.services.sync import sync_now
from fieldapp.services.sync.link import client_for


def main() -> None:
    ctx = open_context(Path(sys.argv[1]))
    client = client_for(ctx, retries=1, backoff_s=0.01, timeout_s=float(sys.argv[2]))
    try:
        sync_now(ctx=ctx, client=client)
    finally:
        client.close()
        ctx.close()


if __name__ == "__main__":
    main()
