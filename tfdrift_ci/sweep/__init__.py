"""``tfdrift-ci sweep``: drift between pull requests, on a schedule (see docs/sweep.md).

- :mod:`~tfdrift_ci.sweep.runner` — one sweep: state → window → check → reconcile → issues → alerts
- :mod:`~tfdrift_ci.sweep.reconcile` — the decision, a pure function
- :mod:`~tfdrift_ci.sweep.observe` — from a report to changes per resource
- :mod:`~tfdrift_ci.sweep.records` — what is remembered, and how it is written into an issue
- :mod:`~tfdrift_ci.sweep.stores` — GitHub issues or ``--state FILE``
- :mod:`~tfdrift_ci.sweep.render` — issue titles, bodies and comments
- :mod:`~tfdrift_ci.sweep.arguments` — the subcommand's options (imported by the CLI's parser:
  keep it light)
"""
