"""Model page names: safe, unique (also on case-insensitive file systems), order-independent."""

from __future__ import annotations

import posixpath
import re

from openweights.site.names import PAGES_DIR, page_names

SAFE = re.compile(r"models/[a-z0-9][a-z0-9._-]*\.html")


def test_hub_ids_read_as_themselves() -> None:
    names = page_names(["meta-llama/Llama-3.1-8B", "gpt2", "org/name_with.dots"])
    assert names == {
        "meta-llama/Llama-3.1-8B": "models/meta-llama--llama-3.1-8b.html",
        "gpt2": "models/gpt2.html",
        "org/name_with.dots": "models/org--name_with.dots.html",
    }


def test_hostile_ids_stay_inside_the_models_folder() -> None:
    hostile = [
        "../../etc/passwd", "/etc/passwd", "..", ".", "", " ", "a/../../b", "..\\..\\win.ini",
        ".hidden", "CON", "nul.txt", "aux/x", "<script>alert(1)</script>", "a\x00b", "名前/モデル",
        "x" * 5000, "index", "../index.html", "%2e%2e%2fx", "a/b/c/d", "😀/😀", "a\nb", "a?b#c",
    ]
    names = page_names(hostile)
    assert len(set(names.values())) == len(hostile)
    for sid, name in names.items():
        assert SAFE.fullmatch(name), (sid, name)
        assert posixpath.normpath(name) == name and name.startswith(PAGES_DIR + "/")
        assert len(name) < 120


def test_ids_that_differ_only_by_case_or_spelling_get_distinct_names() -> None:
    ids = ["Org/Model", "org/model", "org--model", "org/model!", "org/model?"]
    names = page_names(ids)
    assert len({n.lower() for n in names.values()}) == len(ids)
    # Every id that collided is told apart by a hash of its exact text, never by input order.
    assert page_names(reversed(ids)) == names


def test_windows_reserved_names_are_not_used_bare() -> None:
    names = page_names(["con", "org/aux"])
    assert names["con"] != "models/con.html"
    assert names["org/aux"] == "models/org--aux.html"  # only the whole stem is reserved


def test_a_crafted_id_cannot_take_another_ids_hashed_name() -> None:
    first = page_names(["Org/M", "org/m"])
    crafted = first["org/m"][len("models/"):-len(".html")]
    names = page_names(["Org/M", "org/m", crafted])
    assert len(set(names.values())) == 3
