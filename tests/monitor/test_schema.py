import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from distillscope.errors import InputError
from distillscope.monitor.schema import COLUMNS, OPTIONAL_COLUMNS, arrow_schema, duckdb_ddl, exchange_to_row

BASE = {"account_id": "acct_1", "key_id": "key_1", "ts": "2026-03-01T12:00:00Z", "ip": "203.0.113.9",
        "user_agent": "python-httpx/0.27", "model": "m", "prompt": "hi", "completion": "hello",
        "prompt_tokens": 3, "completion_tokens": 5}


def test_row_has_every_column_in_order_and_types():
    row = exchange_to_row(BASE)
    assert list(row) == [*COLUMNS, *OPTIONAL_COLUMNS]
    assert row["ts"] == dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    assert row["org_id"] is None and row["watermark_key_id"] is None and row["extra"] is None


def test_messages_flattened_epoch_ts_and_unknown_fields_kept_in_extra():
    row = exchange_to_row({**BASE, "ts": 1772366400, "prompt": [{"role": "system", "content": "be brief"},
                                                               {"role": "user", "content": "hi"}],
                           "temperature": 0.7, "org_id": "org_9"})
    assert row["prompt"] == "system: be brief\nuser: hi"
    assert row["ts"] == dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    assert row["org_id"] == "org_9"
    assert '"temperature": 0.7' in row["extra"]


@pytest.mark.parametrize("patch,word", [({"ts": None}, "ts"), ({"prompt_tokens": -1}, "prompt_tokens"),
                                        ({"completion_tokens": "x"}, "completion_tokens"),
                                        ({"account_id": None}, "account_id"), ({"ts": "yesterday"}, "timestamp")])
def test_bad_exchange_names_the_field(patch, word):
    with pytest.raises(InputError, match=word):
        exchange_to_row({**BASE, **patch})


def test_rows_fit_the_arrow_schema_and_the_duckdb_table():
    rows = [exchange_to_row({**BASE, "account_id": f"a{i}"}) for i in range(3)]
    tbl = pa.Table.from_pylist(rows, schema=arrow_schema())
    con = duckdb.connect()
    con.execute(duckdb_ddl("ex"))
    con.register("rows_tbl", tbl)
    con.execute("INSERT INTO ex SELECT * FROM rows_tbl")
    assert con.execute("SELECT count(*), min(prompt_tokens) FROM ex").fetchone() == (3, 3)
