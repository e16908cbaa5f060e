"""Corpus triage: every source's opt-outs and licences, turned into a verdict per
jurisdiction by the same rules as ``fairuse assess``, for millions of rows.

Blocks in the datatrove style (read -> derive signals -> decide -> write) over
record batches; the engine runs once per distinct combination of the facts the
rules read, never per row. Not legal advice.

    import fairuse
    verdicts = fairuse.triage(df, {"jurisdictions": ["eu"], "purpose": "ai_training"})
    verdicts.attrs["errors"]    # the rows that could not be read, with their reasons
"""

from __future__ import annotations

MISSING_EXTRA = ("corpus triage needs the triage extra (pyarrow, warcio, Dask); from the fairuse checkout run: "
                 "python3 -m pip install '.[triage]'")


def require() -> None:
    """One line naming the extra to install when a triage dependency is missing."""
    from ..errors import FairuseError

    try:
        import pyarrow  # noqa: F401
        import warcio  # noqa: F401
    except ImportError:
        raise FairuseError(MISSING_EXTRA) from None


def triage(df, answers=None, **kwargs):
    """See :func:`fairuse.triage.run.triage`."""
    require()
    from .run import triage as _triage

    return _triage(df, answers, **kwargs)


__all__ = ["triage", "require"]


# ``fairuse.triage`` is both this package and the function: importing the package
# makes it an attribute of ``fairuse``, so the package itself is made callable.
import sys as _sys
import types as _types


class _CallablePackage(_types.ModuleType):
    def __call__(self, df, answers=None, **kwargs):
        return triage(df, answers, **kwargs)


_sys.modules[__name__].__class__ = _CallablePackage
