"""``python -m bridge`` runs the ``ticket-bridge`` command line."""

import sys

from bridge.cli import main

sys.exit(main())
