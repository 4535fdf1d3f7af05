from __future__ import annotations

import sys

from tfdrift_ci.cli import main

sys.exit(main())
