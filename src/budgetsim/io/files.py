"""Scenario files (YAML or JSON), validated by the same pydantic models as in Python, and their
JSON Schema for editors.

Documents are read defensively: a file larger than :data:`MAX_BYTES`, nested deeper than
:data:`MAX_DEPTH`, with a key given twice, or (YAML) with more than :data:`MAX_ALIASES` aliases,
aliases standing for more than :data:`MAX_ALIAS_NODES` values or an alias inside what it refers
to is refused, naming the file and the line. Files are written whole or not at all
(:func:`write_atomic`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from budgetsim.scenario import Scenario

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the pure-Python loader
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

#: Largest scenario or run file read (bytes).
MAX_BYTES = 50 * 1024 * 1024
#: Deepest nesting of lists and mappings in a document.
MAX_DEPTH = 50
#: Most alias uses (``*name``) in a YAML document.
MAX_ALIASES = 100
#: Most values all the aliases of a YAML document may stand for together.
MAX_ALIAS_NODES = 100_000

_MERGE = "tag:yaml.org,2002:merge"


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    """The nodes in a collection node (a mapping's keys and values, in order)."""
    return chain.from_iterable(node.value) if isinstance(node, yaml.MappingNode) else iter(node.value)


def _alias_problem(aliases: int, values: int, levels: int) -> str | None:
    """What is wrong after ``aliases`` aliases standing for ``values`` values, the last of them
    ending ``levels`` deep, if anything."""
    if aliases > MAX_ALIASES:
        return f"more than {MAX_ALIASES} aliases"
    if values > MAX_ALIAS_NODES:
        return f"the aliases stand for more than {MAX_ALIAS_NODES:,} values"
    if levels > MAX_DEPTH:
        return f"an alias nests the document deeper than {MAX_DEPTH} levels"
    return None


def check_yaml_graph(root: yaml.Node) -> None:
    """Refuse a composed YAML document nested deeper than :data:`MAX_DEPTH`, with an alias to a
    collection that contains it, more than :data:`MAX_ALIASES` aliases, or aliases that stand for
    more than :data:`MAX_ALIAS_NODES` values (an "alias bomb" of a few hundred bytes that expands
    to billions). Iterative, so no depth of nesting overflows the stack.

    >>> check_yaml_graph(yaml.compose("a: &x [1, 2]\\nb: *x"))
    >>> try:
    ...     check_yaml_graph(yaml.compose("&x [*x]"))
    ... except ConstructorError as err:
    ...     print(err.problem)
    an alias refers to a collection that contains it
    """
    if not isinstance(root, yaml.CollectionNode):
        return
    done: dict[int, tuple[int, int]] = {}  # finished nodes: (values they stand for, levels of nesting)
    open_ = {id(root)}
    aliases = alias_nodes = 0
    # per open collection: node, its remaining children, its depth, values and levels so far
    stack: list[tuple[yaml.Node, Iterator[yaml.Node], int, list[int]]] = [(root, _children(root), 1, [1, 1])]
    while stack:
        node, children, depth, counts = stack[-1]
        for child in children:
            key = id(child)
            if key in done:
                values, levels = done[key]
                aliases += 1
                alias_nodes += values
                problem = _alias_problem(aliases, alias_nodes, depth + levels)
                if problem is not None:
                    raise ConstructorError(None, None, problem, node.start_mark)
                counts[0] += values
                counts[1] = max(counts[1], levels + 1)
            elif key in open_:
                raise ConstructorError(None, None, "an alias refers to a collection that contains it", node.start_mark)
            elif not isinstance(child, yaml.CollectionNode):
                done[key] = (1, 0)
                counts[0] += 1
            elif depth >= MAX_DEPTH:
                raise ConstructorError(None, None, f"nested deeper than {MAX_DEPTH} levels", child.start_mark)
            else:
                open_.add(key)
                stack.append((child, _children(child), depth + 1, [1, 1]))
                break
        else:
            stack.pop()
            open_.discard(id(node))
            done[id(node)] = (counts[0], counts[1])
            if stack:
                parent = stack[-1][3]
                parent[0] += counts[0]
                parent[1] = max(parent[1], counts[1] + 1)


class DocumentLoader(_SafeLoader):
    """YAML's safe loader (libyaml's when PyYAML has it) that refuses what :func:`check_yaml_graph`
    refuses, and a mapping that gives a key twice (plain YAML keeps the last silently)."""

    def construct_document(self, node: yaml.Node) -> Any:
        check_yaml_graph(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        first: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and first.setdefault(key, key_node) is not key_node:
                line = first[key].start_mark.line + 1
                raise ConstructorError(
                    None, None, f"key {key!r} given twice (first on line {line})", key_node.start_mark
                )
        return super().construct_mapping(node, deep)


def _yaml_error(path: Path, err: yaml.YAMLError) -> ValueError:
    """``file, line L, column C: not valid YAML: what`` (PyYAML names the text, not the file)."""
    if not isinstance(err, yaml.MarkedYAMLError):
        return ValueError(f"{path}: not valid YAML: {err}")
    mark = err.problem_mark or err.context_mark
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = ": ".join(part for part in (err.context, err.problem) if part)
    return ValueError(f"{path}{where}: not valid YAML: {what}")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object that gives no key twice."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"key {key!r} given twice in one object")
        data[key] = value
    return data


def _check_json_depth(path: Path, document: Any) -> None:
    """Refuse a JSON document nested deeper than :data:`MAX_DEPTH`, naming where."""
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(document, 1, ())]
    while stack:
        value, depth, where = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"{path}: {'.'.join(where)}: nested deeper than {MAX_DEPTH} levels")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((child, depth + 1, (*where, str(k))) for k, child in items)


def read_document(path: str | Path) -> Any:
    """A YAML (.yaml/.yml) or JSON (.json) document; refuses what the module docstring lists,
    naming the file and the line.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "twice.yaml"
    >>> _ = path.write_text("name: a\\nbase_year: 2023\\nname: b\\n", encoding="utf-8")
    >>> read_document(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../twice.yaml, line 3, column 1: not valid YAML: key 'name' given twice (first on line 1)
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in {".json", ".yaml", ".yml"}:
        raise ValueError(f"{path}: give a .yaml, .yml or .json file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"{path}: {size:,} bytes, larger than the {MAX_BYTES // 2**20} MB a document may have")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text (byte {err.start}: {err.reason})") from None
    if suffix == ".json":
        try:
            document = json.loads(text, object_pairs_hook=_json_object)
        except RecursionError:
            raise ValueError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
        except ValueError as err:  # json.JSONDecodeError names line and column; a repeated key does not
            raise ValueError(f"{path}: not valid JSON: {err}") from None
        _check_json_depth(path, document)
        return document
    loader = DocumentLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as err:
        raise _yaml_error(path, err) from None
    except RecursionError:  # the pure-Python loader composes recursively
        raise ValueError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def load_scenario(path: str | Path) -> Scenario:
    """A scenario from a YAML or JSON file; errors name the field and the problem.

    >>> import budgetsim as bs, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_scenario(bs.default_scenario(), folder / "boras.yaml").name
    'boras.yaml'
    >>> load_scenario(folder / "boras.yaml") == bs.default_scenario()
    True
    """
    return Scenario.model_validate(read_document(path))


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as YAML or JSON (by the file's ending), whole or not at all."""
    return save_document(scenario.model_dump(mode="json"), path)


def save_document(data: Any, path: str | Path) -> Path:
    """Write ``data`` as YAML or JSON (by the file's ending), whole or not at all."""
    path = Path(path)
    text = (
        json.dumps(data, indent=1, ensure_ascii=False)
        if path.suffix.lower() == ".json"
        else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    return save_text(path, text)


def check_writable(path: str | Path, suffixes: Sequence[str] = ()) -> Path:
    """``path``, if a file may be written there: its folder exists, it is not a folder, and (when
    ``suffixes`` are given) its ending is one of them.

    >>> check_writable("chart.gif", (".png", ".svg", ".pdf"))
    Traceback (most recent call last):
    ...
    ValueError: chart.gif: give a .png, .svg or .pdf file
    """
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        names = ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
        raise ValueError(f"{path}: give a {names} file")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file")
    return path


def save_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``, whole or not at all (:func:`write_atomic`)."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a file whole or not at all: ``write(tmp)`` writes a temporary file next to ``path``,
    which then replaces ``path`` in one step (``os.replace``). Refuses a folder that does not exist.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a.md", lambda tmp: tmp.write_text("# A")).read_text()
    '# A'
    >>> write_atomic(folder / "missing" / "a.md", lambda tmp: tmp.write_text("# A"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../missing/a.md: the folder .../missing does not exist
    """
    path = check_writable(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files."""
    return Scenario.model_json_schema()
