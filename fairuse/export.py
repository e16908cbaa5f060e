"""``fairuse rules export``: a copy of the bundled rules, questions and casebook to edit.

A pip-installed user has the rules inside site-packages; this puts an editable
copy where they want it. The layout is the bundled rules folder (so
``--rules DIR`` works on it at once) with the casebook in ``DIR/casebook``
(which ``--rules DIR`` then uses unless ``--casebook`` says otherwise).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import FairuseError
from .paths import data_dir

CASEBOOK_SUBDIR = "casebook"


def export(dest: Path | str, *, force: bool = False) -> list[Path]:
    """Copy the bundled rules (with questions and rule tests) and casebook into ``dest``.

    Refuses a ``dest`` that exists and is not an empty folder unless ``force``;
    with ``force`` the bundled files overwrite their namesakes and other files
    in ``dest`` are left alone. Returns the folders written.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise FairuseError(f"{dest}: exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise FairuseError(f"{dest}: the folder is not empty; use --force to copy the bundled rules over it")
    rules, casebook = data_dir("rules"), data_dir("casebook")
    try:
        shutil.copytree(rules, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(casebook, dest / CASEBOOK_SUBDIR, dirs_exist_ok=True)
    except (OSError, shutil.Error) as exc:
        raise FairuseError(f"{dest}: could not copy the rules there ({_reason(exc)})") from None
    return [dest, dest / CASEBOOK_SUBDIR]


def casebook_beside(rules_dir: Path | str | None) -> Path | None:
    """The casebook exported with a ruleset (``RULES/casebook``), if there is one."""
    if rules_dir is None:
        return None
    candidate = Path(rules_dir) / CASEBOOK_SUBDIR
    return candidate if candidate.is_dir() else None


def _reason(exc: Exception) -> str:
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        return str(exc.args[0][0][-1])
    return getattr(exc, "strerror", None) or str(exc)
