"""Demand forecasts, staffing maths, shift-pattern optimisation and risk models: pure functions, no UI.

The interface other tools rely on is :func:`forecast_demand`; :func:`forecast_unit_demand` adds the
backtest and messages for one unit. See ``docs/forecasting.md`` for the formulas.
"""

from forecasting.demand import DemandForecast, forecast_demand, forecast_unit_demand

__all__ = ["DemandForecast", "forecast_demand", "forecast_unit_demand"]
