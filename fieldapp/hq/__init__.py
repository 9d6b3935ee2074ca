"""fieldapp.hq: the HQ service the squads sync with (FastAPI; arrives with the sync issue)."""
