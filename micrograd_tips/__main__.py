"""`python -m micrograd_tips` is the `micrograd-tips` command."""

import sys

from .cli import main

sys.exit(main())
