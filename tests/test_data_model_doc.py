"""``docs/data_model.md`` is generated from ``data_loaders/schema.py``; a schema change without regenerating fails."""

from __future__ import annotations

from pathlib import Path

from data_loaders.schema import data_model_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "data_model.md"


def test_data_model_doc_matches_the_schema():
    # regenerate with: python -m data_loaders.schema > docs/data_model.md (print adds the final newline)
    assert DOC.read_text(encoding="utf-8") == data_model_markdown() + "\n", (
        "docs/data_model.md is out of date: run `python -m data_loaders.schema > docs/data_model.md`"
    )
