"""`python -m eval` is `qa eval`."""

import sys

from eval.cli import main

sys.exit(main())
