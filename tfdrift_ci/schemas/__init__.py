"""JSON schemas shipped inside the package (data only, nothing to import).

``report-schema.json`` is the contract of ``tfdrift-ci check --format json`` (JSON Schema 2020-12,
version 1: additive changes only). Find it in an installed tfdrift-ci with::

    python -c "import importlib.resources as r; print(r.files('tfdrift_ci.schemas') / 'report-schema.json')"
"""
