"""Command-line entry points, beside ``app.py``: they may import ``access`` and the computation packages.

``python -m cli.staffing_plan``: a unit's demand forecast and staffing plan as XLSX (schedulers).
User administration stays ``python -m access`` (it uses nothing but ``access``).
"""
