"""Many new rows at once, each with its history row: how the import writes a panel's history.

On PostgreSQL the primary keys are drawn from the table's sequence in one query and the rows
and their history rows are sent with `COPY`, one round trip a table: thousands of rows a
second in constant memory per batch. Elsewhere (SQLite under `make run`) the same objects go
through simple-history's `bulk_create_with_history`. Either way every row has a history row
naming who wrote it, why and when, as `save_with_actor` gives one row at a time.
"""

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from simple_history.utils import bulk_create_with_history

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def create_with_history[M: models.Model](
    objs: Sequence[M], *, by: Any, reason: str, at: datetime
) -> Sequence[M]:
    """Insert new `objs` (all of one model) and a '+' history row for each; returns them with
    their primary keys set. Runs in the caller's transaction."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return bulk_create_with_history(
            list(objs),
            model,
            batch_size=500,
            default_user=by,
            default_change_reason=reason,
            default_date=at,
        )
    meta = model._meta
    fields = meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, pk)
        stamped = [
            f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        names = [f.attname for f in fields]
        rows = []  # each row's values as COPY text, written once for the table and its history
        for obj in objs:
            for field in stamped:
                field.pre_save(obj, add=True)
            values = obj.__dict__
            rows.append([_text(values[name]) for name in names])
            obj._state.adding, obj._state.db = False, connection.alias
        _copy(cursor, meta.db_table, [f.column for f in fields], ("\t".join(r) for r in rows))

        history = meta.model.history.model._meta
        own = {name: i for i, name in enumerate(names)}
        extra = {
            "history_date": _text(at),
            "history_change_reason": _text(reason),
            "history_type": "+",
            "history_user_id": _text(by.pk),
        }
        columns, picks = [], []
        for field in history.concrete_fields:
            if field.attname in own:
                picks.append(own[field.attname])
            elif field.attname in extra:
                picks.append(extra[field.attname])
            elif field.attname != "history_id":  # the history table numbers its own rows
                raise ValueError(f"{history.db_table}.{field.column}: no value for a new row")
            else:
                continue
            columns.append(field.column)
        _copy(
            cursor,
            history.db_table,
            columns,
            ("\t".join([r[p] if type(p) is int else p for p in picks]) for r in rows),
        )
    return objs


def _copy(cursor, table: str, columns: list[str], lines) -> None:
    quote = connection.ops.quote_name
    buffer = io.StringIO()
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(
        f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN", buffer
    )


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def analyze(*models_: type[models.Model]) -> None:
    """Refresh PostgreSQL's planner statistics of `models_` and their history tables after a
    bulk load, outside its transaction. Until autovacuum next samples them (a minute or more)
    the planner believes the tables are as small as before and picks plans made for 200 rows,
    not 100,000."""
    if connection.vendor != "postgresql":
        return
    tables = []
    for model in models_:
        tables.append(model._meta.db_table)
        if hasattr(model, "history"):
            tables.append(model.history.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
