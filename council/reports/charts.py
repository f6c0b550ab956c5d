"""An indicator's small chart: its observations as a line, its baseline and target as dashed lines.

matplotlib's object API with the Agg canvas (no pyplot, no display, safe in a worker's threads). The
chart carries no words, so one image serves every language; its caption says what the lines are.
"""

from __future__ import annotations

import io
from datetime import date

from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure

from council.tracker.models import Indicator

BASELINE_COLOUR = "#6f777b"
TARGET_COLOUR = "#00703c"
LINE_COLOUR = "#1d70b8"


def indicator_chart(indicator: Indicator, until: date) -> bytes | None:
    """A PNG of the indicator's observations up to `until`; None with fewer than two to draw."""
    points = sorted((o.observed_on, float(o.value)) for o in indicator.observations if o.observed_on <= until)
    if len(points) < 2:
        return None
    figure = Figure(figsize=(6, 2.2), dpi=110)
    axes = figure.subplots()
    axes.plot(date2num([day for day, _ in points]), [value for _, value in points], marker="o", markersize=3,
              color=LINE_COLOUR, linewidth=1.6)
    if indicator.baseline_value is not None:
        axes.axhline(float(indicator.baseline_value), color=BASELINE_COLOUR, linestyle="--", linewidth=1)
    if indicator.target_value is not None:
        axes.axhline(float(indicator.target_value), color=TARGET_COLOUR, linestyle="--", linewidth=1)
    axes.xaxis.set_major_formatter(DateFormatter("%m.%Y"))
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
