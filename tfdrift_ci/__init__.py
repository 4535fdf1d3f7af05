"""tfdrift-ci: out-of-band changes and unsafe configuration for ECR/ECS resources in Terraform.

Importing this package must stay cheap (the pre-commit hook pays for it on every commit): no boto3,
GitPython or Jinja2 here, and nothing with import-time side effects.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
