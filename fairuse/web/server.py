"""The app for a production server running several workers: each worker builds its own from the environment.

``uvicorn --factory fairuse.web.server:app --workers 4`` (or ``fairuse serve --workers 4``):
``FAIRUSE_RULES``, ``FAIRUSE_CASEBOOK``, ``FAIRUSE_DATA_DIR`` and ``FAIRUSE_TOKEN`` are read
as ``fairuse serve`` reads its options. Workers share the session store (each request
locks its session) and the signing key (``FAIRUSE_SECRET`` or a file in the data directory).
"""

from __future__ import annotations

import os
from pathlib import Path


def app():
    from . import create_app

    def path(name):
        value = os.environ.get(name)
        return Path(value) if value else None

    return create_app(rules=path("FAIRUSE_RULES"), casebook=path("FAIRUSE_CASEBOOK"), data_dir=path("FAIRUSE_DATA_DIR"),
                      token=os.environ.get("FAIRUSE_TOKEN") or None)
