"""The Terraform expression language, as much of it as a static inventory needs.

- ``syntax.py``: source text → AST (recursive descent after the HCL native syntax spec), templates
  and heredocs included; ``parse()`` caches by text.
- ``convert.py``: the value model's conversions (``to_str``, ``to_number`` …), ``EvalError``, and the
  helpers that look for unknowns inside a value.
- ``context.py``: ``Ctx`` (the names an expression sees, the files it may read) and ``Lazy`` values.
- ``functions/``: Terraform's functions, one module per family (``FUNCTIONS`` is the registry).
- ``evaluate.py``: AST + context → value; ``evaluate_text()`` is the entry point for source text.
- ``types.py``: variable type constraints (``optional()`` defaults, object attributes).

Nothing is imported here: import the module you need (the package stays cheap to import).
"""
