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


# --- issue 14, defect 3: SQL injection through a file name -------------------------------------------------------
HOSTILE_NAMES = ["it's.{ext}", "x' AS gw; COPY (SELECT 42 AS pwned) TO 'pwned.csv'; ATTACH 'y.{ext}", "*.{ext}",
                 "log[1].{ext}", "what?.{ext}", 'q"uote.{ext}']


def _gateway_rows(n: int, tag: str) -> list[dict]:
    return [{"account_id": f"{tag}{i}", "key_id": "k", "ts": 1_700_000_000 + i, "ip": "203.0.113.9",
             "user_agent": "ua", "model": "m", "prompt": f"p{i}", "completion": "c", "prompt_tokens": 1,
             "completion_tokens": 1} for i in range(n)]


@pytest.mark.parametrize("ext", ["duckdb", "parquet"])
def test_defect03_hostile_file_names_reach_duckdb_as_data_not_sql(tmp_path, monkeypatch, ext):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from distillscope.monitor.schema import arrow_schema, duckdb_ddl, exchange_to_row

    monkeypatch.chdir(tmp_path)
    decoy = tmp_path / f"decoy.{ext}"  # a glob in a name must not pull in this other file

    def write(p, tag, n):
        rows = [exchange_to_row(r) for r in _gateway_rows(n, tag)]
        if ext == "parquet":
            pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema()), p)
        else:
            with duckdb.connect(str(p)) as con:
                con.execute(duckdb_ddl())
                batch = pa.Table.from_pylist(rows, schema=arrow_schema())  # noqa: F841 - read by name in the SQL
                con.execute("INSERT INTO exchanges SELECT * FROM batch")

    write(decoy, "decoy", 5)
    for name in HOSTILE_NAMES:
        p = tmp_path / name.format(ext=ext)
        write(p, "ok", 3)
        r = read_logs([p])
        assert sorted(r.table["account_id"].to_pylist()) == ["ok0", "ok1", "ok2"], name
        p.unlink()
    assert not (tmp_path / "pwned.csv").exists() and not (tmp_path / f"y.{ext}").exists()


# --- issue 14, defect 7: one bad row crashed `monitor scan` ------------------------------------------------------
@pytest.mark.parametrize("bad_ts", [1e20, float("nan"), float("inf"), "nan", "inf", "-inf", -1e30, "99999-01-01"])
def test_defect07_bad_timestamps_are_bad_rows_not_crashes(tmp_path, bad_ts):
    rows = _gateway_rows(6, "a")
    rows[2]["ts"] = bad_ts
    p = tmp_path / "log.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")  # json.dumps writes NaN/Infinity for floats
    r = read_logs([p])
    assert r.n_rows == 5 and [b.position for b in r.bad] == [3] and r.bad[0].reason.split(":")[0] in ("type", "range")
    assert sorted(r.table["account_id"].to_pylist()) == ["a0", "a1", "a3", "a4", "a5"]
    r.table.to_pandas()  # every kept timestamp converts


def test_defect07_one_non_utf8_byte_makes_one_bad_csv_row(tmp_path):
    import csv

    p = tmp_path / "log.csv"
    rows = _gateway_rows(5, "a")
    with open(p, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    p.write_bytes(p.read_bytes().replace(b"p3", b"p\xff3"))
    r = read_logs([p])
    assert r.n_rows == 4 and [(b.position, b.reason.split(":")[0]) for b in r.bad] == [(5, "encoding")]
    assert sorted(r.table["account_id"].to_pylist()) == ["a0", "a1", "a2", "a4"]


@pytest.mark.parametrize("col", ["prompt_tokens", "status", "ts"])
def test_defect07_nan_in_a_numeric_parquet_column_is_a_bad_row(tmp_path, col):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.Table.from_pylist(_gateway_rows(5, "a"))
    vals = [1.0, float("nan"), 2.0, 3.0, 4.0] if col != "ts" else [1.7e9, float("nan"), 1.7e9, 1.7e9, 1.7e9]
    if col in t.column_names:
        t = t.set_column(t.schema.get_field_index(col), col, pa.array(vals))
    else:
        t = t.append_column(col, pa.array(vals))
    pq.write_table(t, tmp_path / "log.parquet")
    r = read_logs([tmp_path / "log.parquet"])
    assert r.n_rows == 4 and [b.position for b in r.bad] == [1]


@pytest.mark.slow
def test_defect07_scan_of_a_one_account_log_is_empty_with_a_message(tmp_path):
    from distillscope.monitor.scan import scan

    p = tmp_path / "one.jsonl"
    p.write_text("\n".join(json.dumps({**r, "account_id": "solo"}) for r in _gateway_rows(30, "x")) + "\n")
    res = scan([p])
    assert res.campaigns == [] and len(res.accounts) == 1 and "at least two" in " ".join(res.notes)
    two = tmp_path / "two.jsonl"  # two accounts that share nothing: no pairs, no crash
    rows = [{**r, "account_id": f"acct{i % 2}", "ip": f"10.0.{i % 2}.1", "prompt": f"unique prompt {i} " * (i + 1)}
            for i, r in enumerate(_gateway_rows(20, "x"))]
    two.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert scan([two]).campaigns == []


# --- issue 14, defect 10: silent wrong data -----------------------------------------------------------------------
TS_CASES = [1_700_000_000, 1_700_000_000.5, 1_700_000_000_000, 1_700_000_000_123.0, "1700000000", "1700000000000",
            "2024-05-01T12:00:00Z", "2024-05-01 12:00:00", 99_999_999_999, 100_000_000_001, 1e13, 1e20, -5, 0,
            True, False, "99999-01-01T00:00:00", "1969-12-31T23:59:59Z", "nan", "soon"]


def test_defect10_one_timestamp_rule_in_ingest_and_parse_ts(tmp_path):
    from distillscope.monitor.schema import parse_ts

    rows = [{**r, "ts": ts} for r, ts in zip(_gateway_rows(len(TS_CASES), "a"), TS_CASES)]
    p = tmp_path / "log.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    res = read_logs([p])
    got = dict(zip(res.table["account_id"].to_pylist(), res.table["ts"].to_pylist()))
    bad = {b.position for b in res.bad}
    for i, ts in enumerate(TS_CASES):
        try:
            want = parse_ts(ts)
        except (TypeError, ValueError, OverflowError):
            want = None
        if want is None:
            assert i + 1 in bad, (ts, got.get(f"a{i}"))
        else:
            assert got[f"a{i}"] == want, ts
    assert got["a2"].year == 2023 and got["a3"].microsecond == 123_000  # milliseconds, not year 55,000


def test_defect10_booleans_and_fractions_are_bad_rows_in_every_format(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _gateway_rows(4, "a")
    rows[1]["prompt_tokens"] = 1.5
    rows[2]["completion_tokens"] = True
    rows[3]["ts"] = True
    p = tmp_path / "log.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    r = read_logs([p])
    assert r.table["account_id"].to_pylist() == ["a0"] and [b.position for b in r.bad] == [2, 3, 4]
    t = pa.Table.from_pylist(_gateway_rows(3, "b"))
    t = t.set_column(t.schema.get_field_index("ts"), "ts", pa.array([1_700_000_000_000, 1_700_000_000, 5]))
    t = t.set_column(t.schema.get_field_index("prompt_tokens"), "prompt_tokens", pa.array([1.0, 2.5, 3.0]))
    pq.write_table(t.append_column("flag", pa.array([True, False, True])), tmp_path / "a.parquet")
    r = read_logs([tmp_path / "a.parquet"])
    assert [b.position for b in r.bad] == [1] and r.table["ts"].to_pylist()[0].year == 2023
    tb = pa.Table.from_pylist(_gateway_rows(2, "c"))
    tb = tb.set_column(tb.schema.get_field_index("ts"), "ts", pa.array([True, False]))
    pq.write_table(tb, tmp_path / "b.parquet")
    r = read_logs([tmp_path / "b.parquet"])
    assert r.n_rows == 0 and r.n_bad == 2  # a boolean column is not 1970


# --- issue 14, defect 14: JSONL ingest memory ---------------------------------------------------------------------
@pytest.mark.slow
def test_defect14_jsonl_is_ingested_in_blocks_not_held_whole(tmp_path, monkeypatch):
    import tracemalloc

    from distillscope.monitor import ingest

    monkeypatch.setattr(ingest, "JSONL_BLOCK_BYTES", 256 << 10, raising=False)
    p = tmp_path / "big.jsonl"
    rows = _gateway_rows(12_000, "a")
    with open(p, "w") as f:
        for i, r in enumerate(rows):
            f.write(json.dumps({**r, "prompt": f"prompt {i} " + "lorem ipsum " * 40}) + "\n")
            if i == 7_000:
                f.write("{broken\n")
    size = p.stat().st_size
    assert size > 6_000_000
    tracemalloc.start()
    try:
        res = read_logs([p])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.n_rows == 12_000 and [b.position for b in res.bad] == [7_002]
    assert res.table["account_id"].to_pylist()[-1] == "a11999"
    # Python-side buffering stays near one block (Arrow/DuckDB memory is measured in bench/ingest_memory.py)
    assert peak < size / 3, (peak, size)


def test_defect09_scan_of_a_log_folder_mid_merge_reads_each_row_once(tmp_path):
    import shutil

    from distillscope.gateway import ExchangeLog

    log = ExchangeLog(tmp_path / "log", compact_every=1000)
    for r in _gateway_rows(6, "a"):
        log.write(r)
    segs = sorted((tmp_path / "log").glob("*.parquet"))
    keep = tmp_path / "keep"
    keep.mkdir()
    for f in segs:
        shutil.copy(f, keep / f.name)
    log.close()  # merged into one file, segments removed
    for f in keep.iterdir():  # the moment between the merge's rename and the segments' removal
        shutil.copy(f, tmp_path / "log" / f.name)
    assert len(list((tmp_path / "log").glob("*.parquet"))) == 7
    r = read_logs([tmp_path / "log"])
    assert sorted(r.table["account_id"].to_pylist()) == [f"a{i}" for i in range(6)]
