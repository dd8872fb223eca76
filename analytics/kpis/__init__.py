"""Workforce KPIs (the former ``analytics/kpis.py``, moved whole into :mod:`analytics.kpis.engine`)."""

from analytics.kpis.engine import *  # noqa: F403
from analytics.kpis.engine import _employees, _requisitions  # noqa: F401
