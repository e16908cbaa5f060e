"""``fairuse serve``: the web interview and the JSON API (the ``web`` extra: FastAPI and uvicorn)."""

from __future__ import annotations

import re
from pathlib import Path  # noqa: F401 - typer reads the annotations
from typing import Annotated, Optional

import typer

from .common import CasebookOpt, RulesOpt, _fail, app

LOCAL = ("127.0.0.1", "localhost", "::1")
TOKEN = re.compile(r"^[A-Za-z0-9._~-]{16,200}$")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="The address to listen on; any other than this computer's (127.0.0.1) needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="The port to listen on.")] = 8000,
    token: Annotated[Optional[str], typer.Option("--token", envvar="FAIRUSE_TOKEN", help="A secret every request must carry (Authorization: Bearer TOKEN, or the link printed at start); at least 16 letters, digits, - _ . ~")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, max=64, help="Worker processes (each loads the rules once).")] = 1,
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Serve the questionnaire as a web interview, and assessments as a JSON API (/v1, described at /openapi.json).

    Answers are saved as they are given, in the same session store as the terminal questionnaire.

    Example: fairuse serve --port 8000
    """
    if token is not None and not TOKEN.match(token):
        _fail("--token: expected at least 16 letters, digits, '-', '_', '.' or '~'")
    if host not in LOCAL and token is None:
        _fail(f"--host {host}: listening on an address other than this computer's needs --token TOKEN "
              f"(or FAIRUSE_TOKEN), so that only those you give it can reach the answers")
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        _fail("fairuse serve needs the web extra: pip install 'fairuse[web]' (in a checkout: pip install '.[web]')")
    _check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    if workers == 1:
        from ..web import create_app

        target, factory = create_app(rules=rules, casebook=casebook, token=token), False
    else:
        import os

        for name, value in (("FAIRUSE_RULES", rules), ("FAIRUSE_CASEBOOK", casebook), ("FAIRUSE_TOKEN", token)):
            if value is not None:
                os.environ[name] = str(value)
        from ..web.server import app as build

        build()  # the rules and casebook checked once here, so an error is one line before any worker starts
        target, factory = "fairuse.web.server:app", True
    typer.echo(f"fairuse: serving the interview at {url} (Ctrl-C stops)", err=True)
    uvicorn.run(target, host=host, port=port, workers=workers if factory else None, factory=factory,
                log_level="warning", server_header=False)


def _check_port(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            _fail(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc})")
