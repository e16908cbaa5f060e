"""``fairuse rules export``: a copy of the bundled rules, questions and casebook to edit.

A pip-installed user has the rules inside site-packages; this puts an editable
copy where they want it. The layout is the bundled rules folder (so
``--rules DIR`` works on it at once) with the casebook in ``DIR/casebook``
(which ``--rules DIR`` then uses unless ``--casebook`` says otherwise).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import FairuseError
from .paths import data_dir

CASEBOOK_SUBDIR = "casebook"


def export(dest: Path | str, *, force: bool = False) -> list[Path]:
    """Copy the bundled rules (with questions and rule tests) and casebook into ``dest``.

    Refuses a ``dest`` that exists and is not an empty folder unless ``force``;
    with ``force`` the bundled files overwrite their namesakes and other files
    in ``dest`` are left alone. Every file is written through :mod:`fairuse.atomic`,
    and all of them are checked before the first is written: a namesake that is a
    symbolic link, a folder or a special file (or a sub-folder that is a link) is
    refused in one line, and nothing is copied. Returns the folders written.
    """
    from .atomic import check_target, write_atomic

    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise FairuseError(f"{dest}: exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise FairuseError(f"{dest}: the folder is not empty; use --force to copy the bundled rules over it")
    try:
        plan = _files(data_dir("rules"), dest) + _files(data_dir("casebook"), dest / CASEBOOK_SUBDIR)
    except OSError as exc:
        raise FairuseError(f"{dest}: could not copy the rules there ({exc.strerror or exc})") from None
    for folder in sorted({target.parent for _, target in plan} - {dest}):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise FairuseError(f"{folder}: is {'a symbolic link' if folder.is_symlink() else 'not a folder'}; "
                               f"fairuse never copies the rules through a link or over a file, even with --force")
    for source, target in plan:
        check_target(target, force=force, inputs=[source])  # exporting the bundled rules onto themselves, too
    for source, target in plan:
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise FairuseError(f"{source}: could not be read ({exc.strerror or exc})") from None
        write_atomic(target, data, force=force, inputs=[source])
    return [dest, dest / CASEBOOK_SUBDIR]


def _files(source: Path, dest: Path) -> list[tuple[Path, Path]]:
    """(bundled file, where it goes) for every file under ``source``, caches left out."""
    plan = []
    for folder, subfolders, names in os.walk(source):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        where = dest / Path(folder).relative_to(source)
        plan += [(Path(folder) / name, where / name) for name in sorted(names)]
    return plan


def casebook_beside(rules_dir: Path | str | None) -> Path | None:
    """The casebook exported with a ruleset (``RULES/casebook``), if there is one."""
    if rules_dir is None:
        return None
    candidate = Path(rules_dir) / CASEBOOK_SUBDIR
    return candidate if candidate.is_dir() else None
