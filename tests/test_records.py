"""Records behave as the frozen dataclasses they replace (openweights/records.py).

Each shape below is declared twice, once as ``@record`` and once as ``@dataclass(frozen=True)``
with the same body, and both are driven through the same operations: what a record does must
be what the dataclass does (the differences the module documents aside).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import doctest
import pickle
from typing import Any

import pytest

from openweights import records
from openweights.records import FrozenInstanceError, field, record


def _twins(body: str) -> tuple[type, type]:
    """The class ``body`` (indented, no decorator) as a record and as a frozen dataclass."""
    made: list[type] = []
    for decorator, field_name in (("record", "records.field"), ("dataclass", "dc_field")):
        env: dict[str, Any] = {
            "record": record,
            "dataclass": dataclasses.dataclass(frozen=True),
            "records": records,
            "dc_field": dataclasses.field,
            "__name__": __name__,
        }
        source = (f"@{decorator}\nclass Shape:\n"
                  + body.replace("FIELD(", field_name + "(") + "\n")
        exec(source, env)  # the body must not refer to names defined after it
        made.append(env["Shape"])
    return made[0], made[1]


SHAPES = {
    "plain": ("    a: int\n    b: str\n", [(1, "x"), (2, "y")], {}),
    "defaults": ("    a: int\n    b: str = 'd'\n    c: tuple[int, ...] = ()\n",
                 [(1,), (1, "e", (2,))], {"b": "k"}),
    "factory": ("    a: int\n    b: list[int] = FIELD(default_factory=list)\n", [(1,), (1, [2])],
                {"b": [3]}),
    "no fields": ("    '''Nothing.'''\n", [()], {}),
    "options": (
        "    a: int\n"
        "    b: dict[str, int] = FIELD(default_factory=dict, hash=False)\n"
        "    c: str = FIELD(default='c', compare=False)\n"
        "    d: str = FIELD(default='d', repr=False)\n",
        [(1,), (1, {"k": 1}, "other", "shown?")],
        {"c": "changed"},
    ),
}


def _instances(cls: type, argument_lists: list[tuple[Any, ...]]) -> list[Any]:
    return [cls(*arguments) for arguments in argument_lists]


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


@pytest.mark.parametrize("compiled", [False, True], ids=["bound", "compiled"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_record_behaves_as_its_frozen_dataclass(shape: str, compiled: bool) -> None:
    body, argument_lists, change = SHAPES[shape]
    rec_cls, dc_cls = _twins(body)
    if compiled:
        rec_cls = _compile(rec_cls)
    recs, dcs = _instances(rec_cls, argument_lists), _instances(dc_cls, argument_lists)
    for r, d in zip(recs, dcs, strict=True):
        assert repr(r) == repr(d)
        assert r == rec_cls(*[getattr(r, n) for n in rec_cls.__match_args__])
        assert r == copy.copy(r)
        assert r != d and d != r  # different classes are never equal, as with dataclasses
        assert rec_cls.__match_args__ == dc_cls.__match_args__
        assert [f.name for f in records.fields(r)] == [f.name for f in dataclasses.fields(d)]
        assert records.asdict(r) == dataclasses.asdict(d)
        assert repr(records.replace(r, **change)) == repr(dataclasses.replace(d, **change))
        assert records.replace(r) == r
        assert copy.copy(r) == r and copy.deepcopy(r) == r
        if _hashable(d):
            assert hash(records.replace(r)) == hash(r)
    # Equality and hashing agree with the dataclass across every pair.
    for i, (r1, d1) in enumerate(zip(recs, dcs, strict=True)):
        for r2, d2 in zip(recs[i:], dcs[i:], strict=True):
            assert (r1 == r2) == (d1 == d2)
            if _hashable(d1) and _hashable(d2) and d1 == d2:
                assert hash(r1) == hash(r2)
    # Fields are frozen: assigning or deleting one fails as it does on the dataclass.
    for r, d in zip(recs, dcs, strict=True):
        for name in rec_cls.__match_args__:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(d, name, 0)
            with pytest.raises(FrozenInstanceError):
                setattr(r, name, 0)
            with pytest.raises(AttributeError):
                delattr(r, name)
        with pytest.raises(AttributeError):
            r.not_a_field = 1


def test_compare_hash_and_repr_options_are_honoured() -> None:
    rec_cls, _ = _twins(SHAPES["options"][0])
    one, two = rec_cls(1, {"x": 1}, "c1", "d1"), rec_cls(1, {"x": 1}, "c2", "d1")
    assert one == two  # c is not compared
    assert hash(one) == hash(rec_cls(1, {"y": 2}, "other", "d1"))  # b and c are not hashed
    assert one != rec_cls(1, {"x": 2})
    assert "d1" not in repr(one) and "c1" in repr(one)


def test_default_factories_make_a_new_value_for_each_instance() -> None:
    rec_cls, _ = _twins(SHAPES["factory"][0])
    first, second = rec_cls(1), rec_cls(2)
    assert first.b == [] and first.b is not second.b


def test_init_false_fields_take_their_default_or_post_init() -> None:
    @record
    class Derived:
        a: int
        twice: int = field(init=False, repr=False, compare=False)
        seen: tuple[str, ...] = field(default=(), init=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "twice", 2 * self.a)

    d = Derived(4)
    assert (d.twice, d.seen, repr(d)) == (8, (), f"{Derived.__qualname__}(a=4, seen=())")
    assert Derived.__match_args__ == ("a",)
    assert records.replace(d, a=5).twice == 10
    with pytest.raises(TypeError, match="no field 'twice' to set"):
        records.replace(d, twice=1)
    with pytest.raises(TypeError):
        Derived(1, 2)  # type: ignore[call-arg]


def test_a_record_subclass_adds_its_fields_after_its_bases() -> None:
    @record
    class Base:
        a: int
        b: int = 2

    @record
    class Child(Base):
        c: int = 3

    assert Child.__match_args__ == ("a", "b", "c")
    assert repr(Child(1)) == f"{Child.__qualname__}(a=1, b=2, c=3)"
    assert Child(1) != Base(1)


def test_mistakes_are_refused_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match="mutable default"):
        @record
        class Mutable:
            items: list[int] = []  # noqa: RUF012 (the mistake under test)

    with pytest.raises(TypeError, match="follows"):
        @record
        class Order:
            a: int = 1
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match=r"records\.field, not dataclasses\.field"):
        @record
        class Foreign:
            a: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(ValueError, match="both"):
        field(default=1, default_factory=int)


def test_class_variables_are_not_fields() -> None:
    @record
    class WithConstant:
        LIMIT: ClassVar[int] = 3  # noqa: F821 (a string annotation, never evaluated)
        a: int = 1

    assert WithConstant.__match_args__ == ("a",)
    assert WithConstant.LIMIT == 3


def test_init_is_compiled_after_the_first_instances() -> None:
    @record
    class Late:
        a: int

    first_init = Late.__dict__["__init__"]
    assert first_init.__code__.co_filename == records.__file__
    for n in range(records.COMPILE_AFTER):
        assert Late(n).a == n
    assert Late.__dict__["__init__"] is first_init  # bound in Python so far
    Late(-1)
    compiled = Late.__dict__["__init__"]
    assert compiled is not first_init
    assert compiled.__code__.co_filename.startswith("<record ")
    Late(-2)
    assert Late.__dict__["__init__"] is compiled


def _compile(cls: type) -> type:
    """``cls`` with its own __init__ compiled (made to make its first instances)."""
    while cls.__dict__["__init__"].__code__.co_filename == records.__file__:
        with contextlib.suppress(TypeError):
            cls()
    return cls


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((1,), {}), ((1, "b"), {}), ((1, "b", (2,)), {}), ((), {"a": 1}), ((1,), {"c": (3,)}),
    ((), {"c": (), "a": 0, "b": "x"}), ((), {}), ((1, "b", (), 4), {}), ((1,), {"a": 2}),
    ((1,), {"z": 2}), ((), {"b": "x"}), ((1,), {"b": "x", "z": 1}), ((1,), {"late": 1}),
]
"""Calls that fit the class below and calls that do not (too many, twice, unknown, missing)."""


def _outcome(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
    try:
        made = cls(*args, **kwargs)
    except TypeError:
        return TypeError
    return list(vars(made).items())


def test_the_generic_init_binds_as_the_compiled_one() -> None:
    body = ("    a: int\n    b: str = 'd'\n"
            "    late: list[int] = FIELD(default_factory=list, init=False)\n"
            "    c: tuple[int, ...] = FIELD(default_factory=tuple)\n")
    generic, _ = _twins(body)
    compiled = _compile(_twins(body)[0])
    for args, kwargs in CALLS:
        fresh, _ = _twins(body)  # every call on the generic path
        assert _outcome(fresh, args, kwargs) == _outcome(compiled, args, kwargs), (args, kwargs)
        assert _outcome(generic, args, kwargs) == _outcome(compiled, args, kwargs), (args, kwargs)


def test_no_frozen_dataclass_is_left_in_the_package() -> None:
    # Results are records: a frozen dataclass would bring back dataclasses' import-time cost.
    import importlib
    import pkgutil

    import openweights

    frozen: list[str] = []
    for info in pkgutil.walk_packages(openweights.__path__, "openweights."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (pyarrow, cyclonedx) not installed
            continue
        for value in vars(module).values():
            params = getattr(value, "__dataclass_params__", None)
            mine = isinstance(value, type) and value.__module__ == info.name
            if mine and params is not None and params.frozen:
                frozen.append(f"{info.name}.{value.__qualname__}")
    assert frozen == []


@record
class Pickled:
    """A module-level record: pickle finds classes by their module and name."""

    a: int
    b: tuple[str, ...] = ()
    c: dict[str, int] = field(default_factory=dict, hash=False)


@record
class One:
    """A record of one field (its values are a one-tuple, not the value itself)."""

    a: int


def test_records_pickle_and_copy() -> None:
    for value in (Pickled(1), Pickled(2, ("x",), {"k": 3}), One(4)):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            assert pickle.loads(pickle.dumps(value, protocol)) == value
        assert copy.deepcopy(value) == value


def test_records_of_one_field_compare_and_hash() -> None:
    assert One(1) == One(1) and One(1) != One(2) and hash(One(1)) == hash(One(1))
    assert len({One(1), One(1), One(2)}) == 2


def test_the_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(records)
    assert tried >= 2 and failures == 0
