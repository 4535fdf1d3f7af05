from __future__ import annotations

import sys

from tfdrift_ci.cli import main

if __name__ == "__main__":  # not when a worker process re-imports the main module (events.workers)
    sys.exit(main())
