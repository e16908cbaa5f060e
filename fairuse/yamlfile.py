"""Strict YAML loading that remembers where things are.

Mappings come back as :class:`Node` dicts that know the line of each key, so a
loader can say ``rules/us/purpose.yaml:42`` instead of "somewhere in the file".
Duplicate keys are errors (PyYAML silently keeps the last one); keys brought in
by a merge key (``<<: *base``) may be overridden, as YAML means.

Every YAML file the tool reads comes through here, with fixed bounds (see
README, "Limits"): at most :data:`MAX_BYTES` bytes read (``/dev/zero`` cannot
exhaust memory), at most :data:`MAX_NODES` values once aliases are expanded (a
"billion laughs" file is refused before anything walks it) and at most
:data:`MAX_DEPTH` levels of nesting.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from .errors import FairuseError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 2_000_000  # the largest YAML (or JSON) file read
MAX_NODES = 200_000  # values in a document once aliases are expanded
MAX_DEPTH = 100  # levels of nesting
_MERGE = "tag:yaml.org,2002:merge"
# a JSON surrogate pair ("\ud83d\ude00", as json.dumps writes an emoji), not itself escaped
_SURROGATES = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


class Node(dict):
    """A mapping from a YAML file with the line of the mapping and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
    loader.flatten_mapping(node)
    merged = len(node.value) - own  # flatten_mapping puts merged pairs first
    from_merge: set = set()
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise FairuseError(
                f"{loader.name}:{key_node.start_mark.line + 1}: a mapping key must be a plain value"
            ) from None
        if key in result and not (index < merged or key in from_merge):
            raise FairuseError(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key '{key}' "
                f"(first at line {result.key_lines[key]})"
            )
        if index < merged:
            from_merge.add(key)
        else:
            from_merge.discard(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _join_surrogates(match: re.Match) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    return f"{match.group(1)}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"


def _check_size(data, name: str) -> None:
    """Refuse a document that expands (through aliases) past MAX_NODES values or MAX_DEPTH levels."""
    sizes: dict[int, int] = {}
    stack = [(data, 0, False)]
    while stack:
        obj, depth, done = stack.pop()
        if not isinstance(obj, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise FairuseError(f"{name}: nested more than {MAX_DEPTH} levels deep")
        if done:
            children = list(obj.items()) if isinstance(obj, dict) else obj
            total = 1
            for child in (c for pair in children for c in (pair if isinstance(obj, dict) else (pair,))):
                total += sizes.get(id(child), 1)
            sizes[id(obj)] = total
            if total > MAX_NODES:
                raise FairuseError(f"{name}: more than {MAX_NODES:,} values once aliases are expanded; "
                                   "refused (is it an alias bomb?)")
            continue
        if id(obj) in sizes:
            continue
        stack.append((obj, depth, True))
        for child in (obj.values() if isinstance(obj, dict) else obj):
            if isinstance(child, (dict, list)) and id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _construct_timestamp(loader: _Loader, node):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise FairuseError(f"{loader.name}:{node.start_mark.line + 1}: '{node.value}' is not a real date "
                           "(expected YYYY-MM-DD)") from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_text(text: str, name: str):
    """Parse YAML ``text``; ``name`` is used in error messages."""
    if len(text) > MAX_BYTES:
        raise FairuseError(f"{name}: larger than {MAX_BYTES:,} bytes; refused")
    if "\\u" in text:
        text = _SURROGATES.sub(_join_surrogates, text)
    loader = _Loader(text)
    loader.name = name
    try:
        data = loader.get_single_data()
        _check_size(data, name)
        return data
    except FairuseError:
        raise
    except RecursionError:
        raise FairuseError(f"{name}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise FairuseError(f"{name}{line}: not valid YAML: {_one_line(exc.problem or exc.context)}") from None
    except yaml.YAMLError as exc:
        raise FairuseError(f"{name}: not valid YAML: {_one_line(str(exc))}") from None
    except ValueError as exc:  # an impossible date (2024-02-30) and the like
        raise FairuseError(f"{name}: not a valid value: {_one_line(str(exc))}") from None
    finally:
        loader.dispose()


def load_file(path: Path | str, cached: bool = False):
    """Read and parse a YAML file, with one-line errors naming the file.

    ``cached``: keep the parsed value between processes (see :mod:`fairuse.yamlcache`);
    the rules and the casebook use it.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise FairuseError(f"{path}: larger than {MAX_BYTES:,} bytes; refused")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise FairuseError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FairuseError(f"{path}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError:
        raise FairuseError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise FairuseError(f"{path}: cannot read: {exc.strerror}") from None
    if cached:
        from .yamlcache import cached_parse

        return cached_parse(path, raw, lambda: load_text(text, str(path)), check=is_parsed)
    return load_text(text, str(path))


def is_parsed(value) -> bool:
    """Is ``value`` what :func:`load_text` gives? Mappings that know their lines, lists,
    text, numbers, true/false, null and dates, and nothing else: a cached value of another shape is parsed
    again (:mod:`fairuse.yamlcache`), never handed to a loader that would fail on it."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _SCALARS:
            continue
        if kind is Node:
            if type(item.__dict__.get("line")) is not int or type(item.__dict__.get("key_lines")) is not dict:
                return False
            stack.extend(item)
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is dict:
            stack.extend(item)
            stack.extend(item.values())
        else:
            return False
    return True


_SCALARS = frozenset({str, int, float, bool, bytes, type(None), dt.date, dt.datetime})


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def line_of(obj, key=None) -> int | None:
    """The line of ``obj`` (or of ``key`` inside it) when known."""
    if isinstance(obj, Node):
        return obj.line_of(key) if key is not None else obj.line
    return None
