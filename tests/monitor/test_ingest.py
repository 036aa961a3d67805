import json

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillscope.errors import InputError
from distillscope.monitor.ingest import read_logs


@pytest.fixture(scope="module")
def clean_lines(small_log):
    rows = duckdb.sql(f"SELECT * FROM '{small_log[0]}' ORDER BY account_id, ts LIMIT 300").df()
    rows["ts"] = rows["ts"].astype(str)
    return [json.dumps({k: (None if pd.isna(v) else v) for k, v in r.items()}, default=str)
            for r in rows.to_dict(orient="records")]


def test_jsonl_bad_lines_reported_with_position_and_nothing_else_lost(tmp_path, clean_lines):
    lines = list(clean_lines)
    broken = {4: '{"account_id": "x", oops', 11: "[1, 2, 3]", 21: None, 31: None}
    lines[3] = broken[4]
    lines[10] = broken[11]
    d = json.loads(lines[20]); d["prompt_tokens"] = "many"; lines[20] = json.dumps(d)
    d = json.loads(lines[30]); del d["ts"]; lines[30] = json.dumps(d)
    p = tmp_path / "log.jsonl"
    p.write_text("\n".join(lines) + "\n")
    r = read_logs([p])
    assert r.n_bad == 4 and r.n_rows == len(lines) - 4
    assert [(b.position, b.reason.split(":")[0]) for b in r.bad] == [(4, "json"), (11, "json"), (21, "type"),
                                                                     (31, "missing")]
    kept = set(zip(r.table["account_id"].to_pylist(), r.table["prompt"].to_pylist(), strict=True))
    good = [json.loads(s) for i, s in enumerate(lines, 1) if i not in broken]
    assert kept == {(g["account_id"], g["prompt"]) for g in good}


def test_csv_bad_lines_reported(tmp_path, small_log):
    p = tmp_path / "log.csv"
    duckdb.sql(f"COPY (SELECT * FROM '{small_log[0]}' WHERE NOT contains(prompt || completion, chr(10)) "
               "LIMIT 50) "
               f"TO '{p}' (HEADER)")
    lines = p.read_text().splitlines()
    lines[5] += ',"surplus"'
    lines[9] = "garbage"
    p.write_text("\n".join(lines) + "\n")
    r = read_logs([p])
    assert r.n_rows == 48 and r.n_bad == 2
    assert sorted(b.position for b in r.bad) == [6, 10]


def test_parquet_missing_column_is_a_clear_error(tmp_path, small_log):
    p = tmp_path / "bad.parquet"
    duckdb.sql(f"COPY (SELECT * EXCLUDE (prompt) FROM '{small_log[0]}' LIMIT 5) TO '{p}'")
    with pytest.raises(InputError, match="prompt"):
        read_logs([p])
    with pytest.raises(InputError, match="no such file"):
        read_logs([tmp_path / "nope.jsonl"])


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(st.tuples(st.integers(0, 299), st.text(min_size=1, max_size=40).filter(
    lambda s: "\n" not in s and "\r" not in s and s.strip() != "")), max_size=15))
def test_fuzzed_lines_are_counted_and_valid_rows_all_kept(tmp_path_factory, clean_lines, junk):
    lines = list(clean_lines)
    for pos, text in sorted(junk, reverse=True):
        lines.insert(pos, text)
    p = tmp_path_factory.mktemp("fz") / "log.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = read_logs([p])
    assert r.n_rows + r.n_bad == len(lines)
    assert r.n_rows >= len(clean_lines)  # a junk line can only be kept if it happens to be a valid exchange
    assert set(r.table["prompt"].to_pylist()) >= {json.loads(s)["prompt"] for s in clean_lines}


def test_gateway_duckdb_database_is_read(tmp_path):
    from distillscope.monitor.schema import duckdb_ddl, exchange_to_row

    db = tmp_path / "gateway.duckdb"
    con = duckdb.connect(str(db))
    con.execute(duckdb_ddl())
    row = exchange_to_row({"account_id": "a", "key_id": "k", "ts": 1767225600, "ip": "1.2.3.4", "model": "m",
                           "prompt": "hi", "completion": "yo", "prompt_tokens": 1, "completion_tokens": 1})
    con.execute("INSERT INTO exchanges VALUES (" + ", ".join("?" * len(row)) + ")", list(row.values()))
    con.close()
    r = read_logs([db])
    assert r.n_rows == 1 and r.n_bad == 0 and r.table["account_id"].to_pylist() == ["a"]
