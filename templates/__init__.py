"""Jinja2 templates shipped as the data package ``tfdrift_ci.templates`` (see templates/README.md)."""
