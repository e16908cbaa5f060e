"""Where the bundled data lives: inside the installed package, or the checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``rules``, ``templates``, ``examples`` or ``casebook``.

    A wheel carries them under ``fairuse/_data/``; a source checkout (or an
    editable install) has them at the top of the repository.
    """
    for candidate in (PACKAGE / "_data" / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return PACKAGE / "_data" / name
