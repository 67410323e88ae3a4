"""Reads a calltrail Parquet lake with DuckDB and prints the figures the archive holds.

Usage: python duckdb_figures.py LAKE_DIR  ->  one JSON object on stdout.
"""
import json
import sys

import duckdb

lake = sys.argv[1]
con = duckdb.connect()


def table(name):
    return f"read_parquet('{lake}/{name}/*/*.parquet', hive_partitioning = true)"


def one(sql):
    return con.execute(sql).fetchone()[0]


types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {table('calls')})").fetchall())
visit_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {table('queue_visits')})").fetchall())
print(json.dumps({
    "calls": one(f"SELECT count(*) FROM {table('calls')}"),
    "talk_ms": one(f"SELECT sum(talk_ms) FROM {table('calls')}"),
    "handle_ms": one(f"SELECT sum(handle_ms) FROM {table('calls')}"),
    "answered": one(f"SELECT count(*) FROM {table('calls')} WHERE outcome = 'answered'"),
    "phases": one(f"SELECT count(*) FROM {table('phases')}"),
    "phase_ms": one(f"SELECT sum(duration_ms) FROM {table('phases')}"),
    "agent_legs": one(f"SELECT count(*) FROM {table('agent_legs')}"),
    "not_responding": one(f"SELECT count(*) FROM {table('agent_legs')} WHERE not_responding"),
    "ivr_steps": one(f"SELECT count(*) FROM {table('ivr_steps')}"),
    "attributes": one(f"SELECT count(*) FROM {table('attributes')}"),
    "attribute_chars": one(f"SELECT sum(length(key) + length(value)) FROM {table('attributes')}"),
    "queue_visits": one(f"SELECT count(*) FROM {table('queue_visits')}"),
    "visits_answered": one(f"SELECT count(*) FROM {table('queue_visits')} WHERE outcome = 'answered'"),
    "wait_ms": one(f"SELECT sum(wait_ms) FROM {table('queue_visits')}"),
    "first_entered_ms": one(f"SELECT epoch_ms(min(entered_at)) FROM {table('queue_visits')}"),
    "visits_within_target": one(
        f"SELECT count(*) FROM {table('queue_visits')} WHERE outcome = 'answered' AND wait_ms <= service_target_ms"),
    "visit_goals_permille": one(f"SELECT CAST(round(sum(service_level_goal) * 1000) AS BIGINT) FROM {table('queue_visits')}"),
    "visit_types": {k: visit_types[k] for k in ("entered_at", "wait_ms", "outcome", "service_target_ms", "service_level_goal")},
    "raw": one(f"SELECT count(*) FROM {table('raw')} WHERE json_valid(record)"),
    "days": one(f"SELECT count(DISTINCT call_date) FROM {table('calls')}"),
    "first_start_ms": one(f"SELECT epoch_ms(min(call_start)) FROM {table('calls')}"),
    "types": {k: types[k] for k in ("call_start", "talk_ms", "ongoing", "call_date")},
}))
