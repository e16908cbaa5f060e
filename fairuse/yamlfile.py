"""Strict YAML loading that remembers where things are.

Mappings come back as :class:`Node` dicts that know the line of each key, so a
loader can say ``rules/us/purpose.yaml:42`` instead of "somewhere in the file".
Duplicate keys are errors (PyYAML silently keeps the last one).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import FairuseError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Node(dict):
    """A mapping from a YAML file with the line of the mapping and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise FairuseError(
                f"{loader.name}:{key_node.start_mark.line + 1}: a mapping key must be a plain value"
            ) from None
        if key in result:
            raise FairuseError(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key '{key}' "
                f"(first at line {result.key_lines[key]})"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_text(text: str, name: str):
    """Parse YAML ``text``; ``name`` is used in error messages."""
    loader = _Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except FairuseError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise FairuseError(f"{name}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise FairuseError(f"{name}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def load_file(path: Path | str):
    """Read and parse a YAML file, with one-line errors naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FairuseError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FairuseError(f"{path}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError:
        raise FairuseError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise FairuseError(f"{path}: cannot read: {exc.strerror}") from None
    return load_text(text, str(path))


def line_of(obj, key=None) -> int | None:
    """The line of ``obj`` (or of ``key`` inside it) when known."""
    if isinstance(obj, Node):
        return obj.line_of(key) if key is not None else obj.line
    return None
