"""Records: the frozen dataclasses owcheck's results are made of, built for a short start-up.

``@record`` makes of a class what ``@dataclass(frozen=True)`` would: an ``__init__`` taking the
annotated fields in order (defaults and ``field(default_factory=...)`` honoured, then
``__post_init__`` if the class has one), equality and hashing over the fields (``compare`` and
``hash`` per field), a ``repr``, and no assignment or deletion after construction
(:class:`FrozenInstanceError`). :func:`replace`, :func:`fields` and :func:`asdict` do what
their namesakes in ``dataclasses`` do. Type checkers read a record as a frozen dataclass
(``dataclass_transform``).

Why not ``dataclasses``: a pre-commit run is a fresh process that creates some 65 of these
classes, and ``dataclasses`` compiles the source of six methods for each one (about 0.4 ms a
class) and imports ``inspect`` with it: together a quarter of the run. A record compiles
nothing when its class is made: the methods but ``__init__`` are shared functions, and a
class's own ``__init__`` is compiled only once it has made ``COMPILE_AFTER`` instances (the
first ones bind their arguments in Python), so a class a run uses a few times costs little more
than its ``class`` statement (figures in ``benchmarks/bench_check.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, overload

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover (typing_extensions comes with huggingface_hub)
    from typing_extensions import dataclass_transform

_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The value of ``Field.default`` / ``Field.default_factory`` when the field has none."""


class FrozenInstanceError(AttributeError):
    """An attempt to assign to or delete a field of a record."""


class Field:
    """One field of a record: its name, its default and its part in equality, hash and repr."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        compare: bool = True,
        hash: bool | None = None,
        repr: bool = True,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("a field cannot have both a default and a default_factory")
        self.name = ""
        """The attribute's name (set when the record is made)."""
        self.default = default
        """The value taken when the argument is not given, or MISSING."""
        self.default_factory = default_factory
        """A function of no arguments making the value when it is not given, or MISSING."""
        self.init = init
        """Whether ``__init__`` takes the field (if not: its default, or ``__post_init__``)."""
        self.compare = compare
        """Whether the field takes part in ``==``."""
        self.hash = compare if hash is None else hash
        """Whether the field takes part in ``hash()``."""
        self.repr = repr
        """Whether the field is shown by ``repr()``."""

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


@overload
def field(
    *,
    default: _T,
    init: bool = True,
    compare: bool = True,
    hash: bool | None = None,
    repr: bool = True,
) -> _T: ...
@overload
def field(
    *,
    default_factory: Callable[[], _T],
    init: bool = True,
    compare: bool = True,
    hash: bool | None = None,
    repr: bool = True,
) -> _T: ...
@overload
def field(
    *, init: bool = True, compare: bool = True, hash: bool | None = None, repr: bool = True
) -> Any: ...
def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    compare: bool = True,
    hash: bool | None = None,
    repr: bool = True,
) -> Any:
    """A field with options, as ``dataclasses.field``: ``x: list = field(default_factory=list)``."""
    return Field(default, default_factory, init, compare, hash, repr)


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: _C) -> _C:
    """Make ``cls`` a record (see the module docstring); use as a class decorator.

    >>> @record
    ... class Point:
    ...     x: int
    ...     y: int = 0
    >>> Point(1) == Point(1, 0), Point(2, y=3)
    (True, Point(x=2, y=3))
    """
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update((f.name, f) for f in base.__dict__.get("__record_fields__", ()))
    # The class's own annotations (inspect.get_annotations would import inspect: the point).
    own_annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in own_annotations.items():
        if _is_class_variable(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        if type(value).__module__ == "dataclasses":
            raise TypeError(f"{cls.__qualname__}.{name}: use records.field, not dataclasses.field")
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        if isinstance(value, Field):
            # The class attribute holds the default, as in dataclasses, or nothing.
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        if spec.default is not MISSING and type(spec.default).__hash__ is None:
            raise ValueError(f"{cls.__qualname__}.{name}: a mutable default; use default_factory")
        found[name] = spec
    specs = tuple(found.values())
    _check_order(cls, specs)

    own = cls.__dict__
    made: dict[str, Any] = {
        "__record_fields__": specs,
        "__match_args__": tuple(f.name for f in specs if f.init),
        # Static: a function stored on the class would otherwise become a method.
        "__record_compared__": staticmethod(_getter([f.name for f in specs if f.compare])),
        "__record_hashed__": staticmethod(_getter([f.name for f in specs if f.hash])),
        "__record_shown__": tuple(f.name for f in specs if f.repr),
        "__setattr__": _frozen_setattr,
        "__delattr__": _frozen_delattr,
    }
    # Methods the class writes itself stay (as with dataclasses); a class body defining __eq__
    # alone leaves __hash__ None, which is not one.
    if "__init__" not in own:
        made["__init__"] = _init_on_first_use(cls)
    if "__repr__" not in own:
        made["__repr__"] = _repr
    if "__eq__" not in own:
        made["__eq__"] = _eq
    if own.get("__hash__") is None:
        made["__hash__"] = _hash
    for name, value in made.items():
        setattr(cls, name, value)
    return cls


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    specs: tuple[Field, ...] | None = getattr(obj, "__record_fields__", None)
    if specs is None:
        raise TypeError(f"{obj!r} is not a record")
    return specs


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record ``obj`` with the given fields changed, made by its ``__init__``."""
    values = {f.name: getattr(obj, f.name) for f in fields(obj) if f.init}
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r} to set")
    values.update(changes)
    return type(obj)(**values)


def asdict(obj: Any) -> dict[str, Any]:
    """The record ``obj`` as a dict, records inside it (in lists, tuples, dicts) turned too.

    Other values are shared with the record, not copied (``dataclasses.asdict`` deep-copies
    them): records hold immutable values or containers rebuilt here.
    """
    return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


def is_record(obj: Any) -> bool:
    """Whether ``obj`` is a record class or instance."""
    return hasattr(obj, "__record_fields__")


# --- the shared methods ---------------------------------------------------------------------


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    compared = self.__record_compared__
    return compared(self) == compared(other)


def _hash(self: Any) -> int:
    return hash(self.__record_hashed__(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_shown__)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


# --- making a record ------------------------------------------------------------------------


def _is_class_variable(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _check_order(cls: type, specs: tuple[Field, ...]) -> None:
    defaulted = ""
    for spec in specs:
        if not spec.init:
            continue
        has_default = spec.default is not MISSING or spec.default_factory is not MISSING
        if defaulted and not has_default:
            raise TypeError(
                f"{cls.__qualname__}: field {spec.name!r} without a default follows"
                f" {defaulted!r}, which has one"
            )
        if has_default:
            defaulted = spec.name
        if spec.name == "self":
            raise TypeError(f"{cls.__qualname__}: a field cannot be named 'self'")


def _getter(names: list[str]) -> Callable[[Any], Any]:
    """A function giving the values of ``names`` (one C call: ``attrgetter``)."""
    if not names:
        return lambda _record: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda record: (one(record),)
    return attrgetter(*names)


COMPILE_AFTER = 16
"""Instances a record class makes with the generic ``__init__`` before it compiles its own."""


def _init_on_first_use(cls: type) -> Callable[..., None]:
    """The first ``__init__`` of a record class: ``_bind`` for its first ``COMPILE_AFTER``
    instances, then the class's own compiled one (``_compile_init``), which replaces it.

    Compiling costs about 80 us a class, binding in Python about 2 us an instance more than
    the compiled ``__init__``: a pre-commit run makes some 2,000 instances of 49 classes, 40 of
    them fewer than 16 times (3.8 ms of compiling saved), and a batch compiles its busy classes
    after their 16th instance.
    """
    made = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal made
        made += 1
        if made <= COMPILE_AFTER:
            _bind(cls, self, args, kwargs)
            return
        init = _compile_init(cls)
        setattr(cls, "__init__", init)  # noqa: B010 (replaces itself: compiled once a class)
        init(self, *args, **kwargs)

    return __init__


def _bind(cls: type, self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """What the compiled ``__init__`` of ``cls`` does, with its arguments bound here: the same
    values stored in the same order, the same TypeError for arguments that do not fit."""
    specs = fields(cls)
    given = len(args)
    values = self.__dict__
    position = 0  # init fields so far: the positional ones, then those taken by keyword
    by_keyword = 0
    for spec in specs:
        name = spec.name
        if not spec.init:
            if spec.default_factory is not MISSING:
                values[name] = spec.default_factory()
            elif spec.default is not MISSING:
                values[name] = spec.default
            continue
        if position < given:
            if name in kwargs:
                raise TypeError(f"{cls.__qualname__}.__init__() got multiple values for"
                                f" argument {name!r}")
            values[name] = args[position]
        elif name in kwargs:
            values[name] = kwargs[name]
            by_keyword += 1
        elif spec.default_factory is not MISSING:
            values[name] = spec.default_factory()
        elif spec.default is not MISSING:
            values[name] = spec.default
        else:
            raise TypeError(f"{cls.__qualname__}.__init__() missing required argument {name!r}")
        position += 1
    if given > position:
        raise TypeError(f"{cls.__qualname__}.__init__() takes {position + 1} positional"
                        f" arguments but {given + 1} were given")
    if by_keyword < len(kwargs):
        unknown = next(k for k in kwargs if not any(s.name == k and s.init for s in specs))
        raise TypeError(f"{cls.__qualname__}.__init__() got an unexpected keyword argument"
                        f" {unknown!r}")
    if hasattr(cls, "__post_init__"):
        self.__post_init__()


def _compile_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` of the record ``cls``: its fields as parameters, stored in order."""
    env: dict[str, Any] = {"__MISSING": MISSING}
    params: list[str] = []
    body: list[str] = []
    for spec in fields(cls):
        name = spec.name
        if not spec.init:
            if spec.default_factory is not MISSING:
                env[f"__factory_{name}"] = spec.default_factory
                body.append(f"    __values[{name!r}] = __factory_{name}()")
            elif spec.default is not MISSING:
                env[f"__default_{name}"] = spec.default
                body.append(f"    __values[{name!r}] = __default_{name}")
            continue
        if spec.default_factory is not MISSING:
            env[f"__factory_{name}"] = spec.default_factory
            params.append(f"{name}=__MISSING")
            made = f"__factory_{name}() if {name} is __MISSING else {name}"
            body.append(f"    __values[{name!r}] = {made}")
            continue
        if spec.default is not MISSING:
            env[f"__default_{name}"] = spec.default
            params.append(f"{name}=__default_{name}")
        else:
            params.append(name)
        body.append(f"    __values[{name!r}] = {name}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    # Stored through the instance's __dict__: __setattr__ refuses every assignment. The names of
    # the function's own (__values, __default_x, ...) cannot be fields': a class body mangles
    # names that start with two underscores.
    source = (
        f"def __init__(self{''.join(', ' + p for p in params)}):\n"
        "    __values = self.__dict__\n" + "\n".join(body) + "\n"
    )
    exec(compile(source, f"<record {cls.__module__}.{cls.__qualname__}>", "exec"), env)
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _plain(value: Any) -> Any:
    if is_record(value):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    return value
