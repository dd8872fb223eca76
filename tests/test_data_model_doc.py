"""``docs/data_model.md`` is generated from ``data_loaders/schema.py``; a schema change without regenerating fails."""

from __future__ import annotations

from pathlib import Path

from data_loaders.schema import TABLES, data_model_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "data_model.md"


def test_data_model_doc_matches_the_schema():
    # regenerate with: python -m data_loaders.schema > docs/data_model.md (print adds the final newline)
    assert DOC.read_text(encoding="utf-8") == data_model_markdown() + "\n", (
        "docs/data_model.md is out of date: run `python -m data_loaders.schema > docs/data_model.md`"
    )


def test_every_declared_rule_names_columns_of_its_table_and_gives_message_and_source():
    declared = 0
    for table in TABLES.values():
        for rule in table.rules:
            declared += 1
            assert rule.message and rule.source, (table.name, rule)
            for column in rule.columns:
                assert column in table.column_names or column in rule.loader_columns, (table.name, rule, column)
    assert declared == 6  # three date orders, consent, future timecards, shift clock times
