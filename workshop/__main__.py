"""``python -m workshop create|list|export|delete`` (see ``workshop.cli``)."""

import sys

from .cli import main

sys.exit(main())
