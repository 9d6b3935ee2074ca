"""The ASGI application uvicorn's workers load (settings from ``FIELDAPP_HQ_*``)."""

from __future__ import annotations

from fastapi import FastAPI

from fieldapp.hq.app import create_app
from fieldapp.hq.context import open_hq
from fieldapp.hq.settings import Settings


def create() -> FastAPI:
    return create_app(open_hq(Settings(), migrate=False))
