"""fieldapp.hq: the HQ service the squads' devices sync with (FastAPI on SQLite or
PostgreSQL), its own store and use cases, its pages and the ``fieldapp-hq`` command."""
