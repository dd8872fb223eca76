"""The sample hospital: a seeded generator of every canonical table, and the small shipped files.

``generate_hospital(scale, seed, end, years)`` returns the tables as DataFrames;
``python -m sample_data --scale N --out DIR`` writes them as CSVs and one XLSX workbook.
See ``docs/sample_hospital.md`` for every assumption and its source.
"""

from sample_data.hospital import generate_hospital

__all__ = ["generate_hospital"]
