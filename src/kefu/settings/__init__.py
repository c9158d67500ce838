"""Kefu settings: everything lives in ``base``; the environment decides production values."""

from kefu.settings.base import *  # noqa: F403
