"""Registry, git and archive modules, fetched the way ``terraform init`` installs them, in pure Python
(no ``terraform`` binary): ``fetcher.Fetcher`` is the entry point, used by ``inventory.module_sources``.

- ``addresses``: what a ``source`` names (registry, git, https archive, unsupported);
- ``constraints``: Terraform's version constraints (``~> 5.0``);
- ``cliconfig``: ``host`` and ``credentials`` from the Terraform CLI configuration, ``TF_TOKEN_*``;
- ``registry``: service discovery, version list, download location;
- ``gitsource``: ``git ls-remote`` and shallow clones through GitPython;
- ``http`` / ``archives``: bounded downloads and safe unpacking;
- ``cache``: the content-addressed store shared by every run and root.

User documentation: docs/modules.md. Nothing is imported here: importing a submodule stays cheap.
"""
