"""Bundled catalogues other than the licenses: well-known base model families (``base_models``).

Each catalogue is kept like ``licenses/``: one YAML file per entry in a top-level folder, a JSON
Schema in ``schemas/``, and a compiled ``index.json`` that the tool loads at run time.
"""
