"""Bundled catalogues of public knowledge beyond licenses: well-known training corpora
(``corpora``), and later well-known base-model families. Each is a folder of YAML files compiled
into an ``index.json`` by ``scripts/build_catalogue.py`` and shipped in the wheel."""
