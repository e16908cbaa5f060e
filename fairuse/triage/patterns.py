"""Path patterns of robots.txt (RFC 9309 s.2.2.3) and TDMRep locations: ``*`` for any
sequence of characters, ``$`` at the end for the end of the path, matched from the
path's start. Matched in time linear in the path and the pattern, never by
backtracking (a location like ``/*a*a*a*a*X`` costs what its length costs).

Two ways, one meaning: :meth:`Pattern.match` for one path (a greedy scan of the
pattern's literal segments with ``str.find``), :meth:`Pattern.mask` for many at
once (Arrow's ``starts_with``, or RE2, which runs in linear time). Tests check
they agree.
"""

from __future__ import annotations

import re

MAX_PATTERN = 2_000  # characters in one rule's path or one TDMRep location


class Pattern:
    __slots__ = ("text", "segments", "anchored", "length", "_regex")

    def __init__(self, text: str):
        self.text = text
        self.length = len(text.encode("utf-8", "surrogatepass"))  # RFC 9309: the most octets wins
        self.anchored = text.endswith("$")
        body = text[:-1] if self.anchored else text
        self.segments = body.split("*")
        self._regex = None

    @property
    def literal(self) -> bool:
        return len(self.segments) == 1 and not self.anchored

    def match(self, path: str) -> bool:
        segs = self.segments
        first = segs[0]
        if not path.startswith(first):
            return False
        if len(segs) == 1:
            return len(path) == len(first) if self.anchored else True
        pos = len(first)
        for seg in segs[1:-1]:
            if seg:
                at = path.find(seg, pos)
                if at < 0:
                    return False
                pos = at + len(seg)
        last = segs[-1]
        if self.anchored:
            return len(path) - len(last) >= pos and path.endswith(last)
        return path.find(last, pos) >= 0

    def regex(self) -> str:
        """The RE2 form (anchored at the path's start)."""
        if self._regex is None:
            self._regex = "(?s)^" + ".*".join(re.escape(s) for s in self.segments) + ("$" if self.anchored else "")
        return self._regex

    def mask(self, paths):
        """Boolean Arrow array: which of ``paths`` (an Arrow string array) match."""
        import pyarrow.compute as pc

        if self.literal:
            return pc.starts_with(paths, self.segments[0])
        return pc.match_substring_regex(paths, self.regex())
