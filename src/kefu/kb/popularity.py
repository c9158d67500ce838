"""Popularity with time decay, stored so that ordering never needs rewriting old rows.

An event of weight w at time t adds w * 2^((t - EPOCH) / half_life) to an article's sum; all
articles share the factor 2^(-(now - EPOCH) / half_life), so ordering by the sum is ordering by
the decayed score. We store log2 of the sum (``Article.popularity``) to stay in float range.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT_HALF_LIFE_DAYS = 30.0
VIEW_WEIGHT = 1.0
HELPFUL_WEIGHT = 3.0


def event_log2(*, weight: float, at: datetime, half_life_days: float) -> float:
    """log2 of one event's contribution."""
    days = (at - EPOCH).total_seconds() / 86400
    return math.log2(weight) + days / half_life_days


def log2_add(current: float, addition: float) -> float:
    """log2(2^current + 2^addition), without overflow; 0.0 stands for "nothing yet"."""
    if current == 0.0:
        return addition
    high, low = max(current, addition), min(current, addition)
    return high + math.log2(1 + 2 ** (low - high))
