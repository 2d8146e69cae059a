"""Pieces of SQL written by our code (no Django): the aggregate queries of the dashboards' refresh
(maatwerk/insights/refresh.py) and of the research export (maatwerk/research/export/dataset.py) put choice
codes into their text, never input."""


def literal(value: str) -> str:
    """A code constant (a choice value) as an SQL string literal; refused unless it is a plain word, so
    that nothing else can ever be put into the text of a query this way."""
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain code: {value!r}")
    return f"'{value}'"


def flag(condition: str) -> str:
    """1 where `condition` holds, else 0 (portable: SQLite and PostgreSQL)."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"
