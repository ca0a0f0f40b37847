"""Scenario files (YAML or JSON), validated by the same pydantic models as in Python, and their
JSON Schema for editors.

Documents are read defensively: a file larger than :data:`MAX_BYTES`, nested deeper than
:data:`MAX_DEPTH`, holding more than :data:`MAX_VALUES` values (checked, for YAML, before the
document is built in memory), with a key given twice, or (YAML) with more than
:data:`MAX_ALIASES` aliases, aliases standing for more than :data:`MAX_ALIAS_NODES` values or an
alias inside what it refers to is refused, naming the file and the line; so is a folder, a device
or a pipe given as a file. Text is UTF-8, with or without a byte-order mark, or UTF-16 with one
(as Windows tools save it). Validation errors name the file and list at most :data:`MAX_ERRORS`
problems (:func:`validated`). Files are written whole or not at all (:mod:`budgetsim.writing`); a file
that cannot be written is a ``ValueError`` naming it.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError
from yaml.constructor import ConstructorError

from budgetsim.scenario import Scenario
from budgetsim.writing import reason, write_text

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
#: Most values (numbers, texts, lists and mappings) a document may hold; a scenario has thousands.
MAX_VALUES = 200_000
#: Most problems a validation error lists.
MAX_ERRORS = 100

_MERGE = "tag:yaml.org,2002:merge"
SUFFIXES = (".yaml", ".yml", ".json")
_UTF16 = (b"\xff\xfe", b"\xfe\xff")

M = TypeVar("M", bound=BaseModel)


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


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def same_key(key: Any) -> Any:
    """What a mapping's key means once the scenario reads it: ``2025``, ``'2025'`` and ``'2025.0'``
    are the year 2025, and text is compared in one Unicode form (NFC). Two keys that mean the same
    would silently keep only the last.

    >>> same_key("2025.0") == same_key(2025) == same_key(" 2025")
    True
    """
    if isinstance(key, bool) or not isinstance(key, int | float | str):
        return key
    if isinstance(key, str):
        text = unicodedata.normalize("NFC", key).strip()
        if not _NUMBER.fullmatch(text):
            return text
        key = float(text)
    return int(key) if math.isfinite(key) and key == int(key) else key


def _twice(key: Any, first: Any) -> str:
    """``key 2025 given twice`` (``(as '2025' and 2025)`` when spelt differently)."""
    spelt = "" if key == first and type(key) is type(first) else f" (as {first!r} and {key!r})"
    return f"key {key!r} given twice{spelt}"


class DocumentLoader(_SafeLoader):
    """YAML's safe loader (libyaml's when PyYAML has it) that refuses what :func:`check_yaml_graph`
    refuses, and a mapping that gives a key twice (plain YAML keeps the last silently)."""

    def construct_document(self, node: yaml.Node) -> Any:
        check_yaml_graph(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        first: dict[Any, tuple[Any, yaml.Node]] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue
            earlier = first.setdefault(same_key(key), (key, key_node))
            if earlier[1] is not key_node:
                line = earlier[1].start_mark.line + 1
                raise ConstructorError(
                    None, None, f"{_twice(key, earlier[0])} (first on line {line})", key_node.start_mark
                )
        return super().construct_mapping(node, deep)


def _check_yaml_events(path: Path, text: str) -> None:
    """Refuse a YAML text nested deeper than :data:`MAX_DEPTH` or holding more than
    :data:`MAX_VALUES` values while it is parsed, before it is composed (every composed value
    takes hundreds of bytes; 50 MB of YAML would take gigabytes)."""
    loader = _SafeLoader(text)
    depth = values = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            assert event is not None  # check_event() said there is one
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            values += isinstance(event, yaml.NodeEvent)
            problem = (
                f"nested deeper than {MAX_DEPTH} levels"
                if depth > MAX_DEPTH
                else f"more than {MAX_VALUES:,} values"
                if values > MAX_VALUES
                else None
            )
            if problem is not None:
                mark = event.start_mark
                where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
                raise ValueError(f"{path}{where}: not valid YAML: {problem}")
    finally:
        loader.dispose()


def _plain(err: ValueError) -> str:
    """A parser's error in the user's terms: Python's advice on integer digits is not theirs to follow.

    >>> _plain(ValueError("Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits"))
    'a number with 5,000 digits; no budget needs more than a few'
    """
    digits = re.search(r"integer string conversion.*?has (\d+) digits", str(err))
    if digits is None:
        return str(err)
    return f"a number with {int(digits.group(1)):,} digits; no budget needs more than a few"


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
    seen: dict[Any, str] = {}
    for key, value in pairs:
        meaning = same_key(key)
        if meaning in seen:
            raise ValueError(f"{_twice(key, seen[meaning])} in one object")
        seen[meaning] = key
        data[key] = value
    return data


def _check_json_shape(path: Path, document: Any) -> None:
    """Refuse a JSON document nested deeper than :data:`MAX_DEPTH` (naming where) or holding more
    than :data:`MAX_VALUES` values."""
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(document, 1, ())]
    values = 0
    while stack:
        value, depth, where = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise ValueError(f"{path}: more than {MAX_VALUES:,} values; is it a scenario or run file?")
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"{path}: {'.'.join(where)}: nested deeper than {MAX_DEPTH} levels")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((child, depth + 1, (*where, str(k))) for k, child in items)


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """A block that looks at or reads ``path``: an error of the system (no permission, a folder
    that cannot be entered, a name too long) is a ``ValueError`` naming the file and the reason.

    >>> with reading("x" * 300):  # doctest: +ELLIPSIS
    ...     Path("x" * 300).exists()
    Traceback (most recent call last):
    ...
    ValueError: xxx...: cannot be read (File name too long)
    """
    try:
        yield
    except OSError as err:
        raise ValueError(f"{err.filename or path}: cannot be read ({reason(err)})") from None


def readable(path: str | Path, suffixes: Sequence[str] = (), limit: int = MAX_BYTES) -> Path:
    """``path``, if it is a regular file (not a folder, a device or a pipe) of at most ``limit``
    bytes with one of the endings ``suffixes`` (any, if none are given)."""
    with reading(path):
        return _readable(Path(path), suffixes, limit)


def _readable(path: Path, suffixes: Sequence[str], limit: int) -> Path:
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file")
    if not path.is_file():
        raise ValueError(f"{path}: not a regular file (a device or a pipe); give a file")
    if suffixes and path.suffix.lower() not in suffixes:
        raise ValueError(f"{path}: give a {_either(suffixes)} file")
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"{path}: {size:,} bytes, larger than the {limit // 2**20} MB a file may have")
    return path


def read_text(path: Path) -> str:
    """The text of ``path``: UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = path.write_bytes("name: Borås".encode("utf-16"))
    >>> read_text(path)
    'name: Borås'
    """
    with reading(path):
        raw = path.read_bytes()
    try:
        return raw.decode("utf-16") if raw.startswith(_UTF16) else raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text (byte {err.start}: {err.reason}); save it as UTF-8") from None


def decode_table(raw: bytes) -> tuple[str, str]:
    """The text of a table file and the encoding it was read in, for files as people have them:
    UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode
    text"), else Windows-1252 (what Swedish Excel saves as "CSV (semicolon separated)").

    >>> decode_table("Äldreomsorg".encode("cp1252"))
    ('Äldreomsorg', 'Windows-1252')
    >>> decode_table("Äldreomsorg".encode("utf-8-sig"))
    ('Äldreomsorg', 'UTF-8')
    """
    if raw.startswith(_UTF16):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as err:
        utf8 = err
    control = _CONTROL.search(raw)
    if control:
        why = f"byte {control.start()} is a control character"
    else:
        try:
            return raw.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError as err:
            why = f"byte {err.start} is not a Windows-1252 character"
    raise ValueError(f"not text: not UTF-8 (byte {utf8.start}: {utf8.reason}) nor Windows-1252 ({why}); save it as CSV")


#: Bytes that no text table holds (tab, line feed and carriage return are text).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _either(options: Sequence[str]) -> str:
    """``.a``, ``.a or .b``, ``.a, .b or .c``."""
    return ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]


def validated(model: type[M], data: Any, path: str | Path) -> M:
    """``data`` validated as ``model``; a ``ValidationError`` names the file ``path`` as its title
    ("2 validation errors for town.yaml")."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise renamed(err, str(path)) from None


def renamed(error: ValidationError, title: str, prefix: tuple[str, ...] = ()) -> ValidationError:
    """``error`` with the title ``title`` (a file's name), each location after ``prefix``, and at
    most :data:`MAX_ERRORS` problems (then how many more there are)."""
    errors = error.errors(include_url=False)
    kept: list[Any] = [
        {"type": PydanticCustomError(e["type"], e["msg"]), "loc": (*prefix, *e["loc"]), "input": e["input"]}
        for e in errors[:MAX_ERRORS]
    ]
    if len(errors) > MAX_ERRORS:
        more = PydanticCustomError("more_errors", f"and {len(errors) - MAX_ERRORS:,} more problems")
        kept.append({"type": more, "loc": prefix, "input": None})
    return ValidationError.from_exception_data(title, kept)


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
    path = readable(path, SUFFIXES)
    suffix = path.suffix.lower()
    text = read_text(path)
    if suffix == ".json":
        try:
            document = json.loads(text, object_pairs_hook=_json_object)
        except RecursionError:
            raise ValueError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
        except ValueError as err:  # json.JSONDecodeError names line and column; a repeated key does not
            raise ValueError(f"{path}: not valid JSON: {_plain(err)}") from None
        _check_json_shape(path, document)
        return document
    try:
        _check_yaml_events(path, text)
    except yaml.YAMLError as err:
        raise _yaml_error(path, err) from None
    loader = DocumentLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as err:
        raise _yaml_error(path, err) from None
    except ValueError as err:  # a value Python cannot hold: a date 2023-13-45, an integer of 5,000 digits
        raise ValueError(f"{path}: not valid YAML: {_plain(err)}") from None
    except RecursionError:  # the pure-Python loader composes recursively
        raise ValueError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def load_scenario(path: str | Path) -> Scenario:
    """A scenario from a YAML or JSON file; errors name the file, the field and the problem.

    >>> import budgetsim as bs, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_scenario(bs.default_scenario(), folder / "boras.yaml").name
    'boras.yaml'
    >>> load_scenario(folder / "boras.yaml") == bs.default_scenario()
    True
    """
    return validated(Scenario, read_document(path), path)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as YAML or JSON (by the file's ending), whole or not at all."""
    return save_document(scenario.model_dump(mode="json"), path)


def save_document(data: Any, path: str | Path) -> Path:
    """Write ``data`` as YAML or JSON (by the file's ending), whole or not at all."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{path}: give a {_either(SUFFIXES)} file")
    text = (
        json.dumps(data, indent=1, ensure_ascii=False)
        if path.suffix.lower() == ".json"
        else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    return write_text(path, text)


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
        raise ValueError(f"{path}: give a {_either(suffixes)} file")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file")
    return path


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files."""
    return Scenario.model_json_schema()
