"""Reading the demo municipality's content from ``fixtures/demo/*.json``.

Each app's ``demo.py`` describes its file's shape as a frozen dataclass and reads it with
``read_demo_data``; the shape is checked on read, so a typo in the content stops
``load_demo`` with the file and the key path (``…/plans.json: plan_areas[2].goal:
mangler``) instead of an error deep in a seeder or, worse, a quietly different demo. It
lives in ``plans`` because every app's seeder uses it and ``plans`` is the layer they all
may import.

The checks follow the dataclass's type hints: ``str``, ``int``, ``float``, ``bool``,
``None``, ``datetime.date`` (ISO text), unions of these, ``tuple[X, ...]``, fixed tuples,
``list[X]``, ``dict[str, X]`` (or ``dict[int, X]``, keys written as text) and nested
dataclasses; ``Annotated[str, SomeChoices]`` also requires one of a Django choices
class's values, so a misspelt role or unit kind is caught on read, not in the database.
JSON arrays become tuples where the hint says tuple, so the result is as immutable as the
literals it replaced."""

from __future__ import annotations

import dataclasses
import datetime
import json
import types
import typing
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")


class DemoDataError(ValueError):
    """The demo content does not have the shape its seeder expects."""


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(key, message)
        self.key, self.message = key, message


def demo_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "demo"


def read_demo_data(
    name: str,
    shape: type[T],
    *,
    check: Callable[[T], Iterable[tuple[str, str]]] | None = None,
    directory: Path | None = None,
) -> T:
    """The file ``name`` in the demo fixtures, checked against the dataclass ``shape`` and
    then by ``check``, which yields (key, problem) for what the types cannot say: a name
    that must be defined elsewhere in the file, an index that must be in range."""
    path = (directory or demo_data_dir()) / name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DemoDataError(f"{path}: finnes ikke") from exc
    except json.JSONDecodeError as exc:
        raise DemoDataError(f"{path}: ugyldig JSON på linje {exc.lineno}: {exc.msg}") from exc
    try:
        data = _convert(raw, shape, "")
    except _Bad as exc:
        raise DemoDataError(f"{path}: {exc.key or '(roten)'}: {exc.message}") from None
    for key, problem in check(data) if check else ():
        raise DemoDataError(f"{path}: {key}: {problem}")
    return data


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _fail(where: str, message: str) -> typing.NoReturn:
    raise _Bad(where, message)


def _key(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _convert(value: Any, hint: Any, where: str) -> Any:
    if hint is Any:
        return value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(value, hint, where)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        converted = _convert(value, args[0], where)
        for choices in hint.__metadata__:
            if converted not in choices.values:
                allowed = ", ".join(str(v) for v in choices.values)
                _fail(where, f"ukjent verdi {converted!r} (gyldige: {allowed})")
        return converted
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _convert(value, option, where)
            except _Bad:
                continue
        names = " eller ".join(_name(option) for option in args)
        _fail(where, f"ventet {names}, fant {value!r}")
    if origin is tuple:
        if not isinstance(value, list):
            _fail(where, f"ventet en liste, fant {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(item, args[0], f"{where}[{i}]") for i, item in enumerate(value))
        if len(value) != len(args):
            _fail(where, f"ventet {len(args)} elementer, fant {len(value)}")
        return tuple(
            _convert(item, arg, f"{where}[{i}]")
            for i, (item, arg) in enumerate(zip(value, args, strict=True))
        )
    if origin is list:
        if not isinstance(value, list):
            _fail(where, f"ventet en liste, fant {value!r}")
        return [_convert(item, args[0], f"{where}[{i}]") for i, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            _fail(where, f"ventet et objekt, fant {value!r}")
        return {
            _dict_key(key, args[0], where): _convert(item, args[1], _key(where, key))
            for key, item in value.items()
        }
    return _scalar(value, hint, where)


def _dict_key(key: str, hint: Any, where: str) -> Any:
    # JSON's keys are text; a dict keyed by number (a session's index) is written "0".
    if hint is int:
        try:
            return int(key)
        except ValueError:
            _fail(_key(where, key), "ventet et heltall som nøkkel")
    return key


def _scalar(value: Any, hint: Any, where: str) -> Any:
    if hint is type(None):
        if value is not None:
            _fail(where, f"ventet null, fant {value!r}")
        return None
    if hint is datetime.date:
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        _fail(where, f"ventet en dato (ÅÅÅÅ-MM-DD), fant {value!r}")
    # bool is an int in Python and JSON keeps them apart: so must we.
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        # A whole number in a column of decimals is kept as it was written.
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is str:
        ok = isinstance(value, str)
    else:  # pragma: no cover - a shape the reader does not know is a programming error
        raise TypeError(f"{where}: read_demo_data cannot check {hint!r}")
    if not ok:
        _fail(where, f"ventet {_name(hint)}, fant {value!r}")
    return value


def _dataclass(value: Any, cls: type, where: str) -> Any:
    if not isinstance(value, dict):
        _fail(where, f"ventet et objekt, fant {value!r}")
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        _fail(_key(where, unknown[0]), "ukjent nøkkel")
    hints = _hints(cls)
    converted = {}
    for name, field in fields.items():
        if name not in value:
            if (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                _fail(_key(where, name), "mangler")
            continue
        converted[name] = _convert(value[name], hints[name], _key(where, name))
    return cls(**converted)


def _name(hint: Any) -> str:
    return {
        str: "tekst",
        int: "heltall",
        float: "tall",
        bool: "true/false",
        type(None): "null",
    }.get(hint, getattr(hint, "__name__", str(hint)))
