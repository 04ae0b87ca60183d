"""Bundled catalogues of public knowledge beyond the licenses: well-known training corpora
(``corpora``) and well-known base model families (``base_models``).

Each catalogue is kept like ``licenses/``: one YAML file per entry in a top-level folder, a JSON
Schema in ``schemas/``, and an ``index.json`` compiled by ``scripts/build_catalogue.py`` that the
tool loads at run time from the wheel.
"""
