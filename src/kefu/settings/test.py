"""Settings for the test suite: the same as every other mode, with a throw-away database."""

import os

os.environ.setdefault("KEFU_ENV", "test")

from kefu.settings.base import *  # noqa: F403
