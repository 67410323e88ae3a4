//! The archive's schema: migrations embedded here, applied in order and only ever appended to.
//! `PRAGMA user_version` records how many have been applied.

/// What a migration (by its number, counted from 1) leaves for the user to do on an archive it
/// upgraded.
pub const UPGRADE_NOTES: &[(usize, &str)] = &[
    (
        6,
        "each wait in a queue was filled in from the stored call records with its call's media; \
         `calltrail rederive` gives a callback's wait its own, as `report queues --media` counts it",
    ),
    (
        8,
        "queue performance measures waits against 20s until the next sync lists each queue's own \
         service-level targets",
    ),
];

/// Every migration, oldest first. Never edit one that has shipped; add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: raw records, their history, derived calls and their parts, lookups, sync state.
    r"
    CREATE TABLE conversations (
        id            TEXT PRIMARY KEY,
        start_ms      INTEGER,
        end_ms        INTEGER,
        version       INTEGER NOT NULL,
        raw_lz4       BLOB NOT NULL,     -- the record exactly as received, LZ4-compressed
        raw_hash      INTEGER NOT NULL,
        fetched_ms    INTEGER NOT NULL,
        source        TEXT NOT NULL,     -- query, job, get
        has_attributes INTEGER NOT NULL  -- participant attributes present in the record
    );
    CREATE INDEX conversations_start ON conversations(start_ms);
    CREATE INDEX conversations_open ON conversations(end_ms) WHERE end_ms IS NULL;

    CREATE TABLE conversation_history (
        id          TEXT NOT NULL,
        version     INTEGER NOT NULL,
        raw_lz4     BLOB NOT NULL,
        fetched_ms  INTEGER NOT NULL,
        replaced_ms INTEGER NOT NULL,
        PRIMARY KEY (id, version)
    );

    CREATE TABLE conversation_api (
        id          TEXT PRIMARY KEY,
        raw_lz4     BLOB NOT NULL,       -- GET /api/v2/conversations/{id}: attributes, wrap-ups
        fetched_ms  INTEGER NOT NULL
    );

    CREATE TABLE calls (
        conversation_id     TEXT PRIMARY KEY,
        start_ms            INTEGER,
        end_ms              INTEGER,
        call_date           TEXT,
        ongoing             INTEGER NOT NULL,
        duration_ms         INTEGER,
        media_type          TEXT,
        direction           TEXT NOT NULL,
        direction_label     TEXT NOT NULL,
        from_address        TEXT,
        from_name           TEXT,
        to_address          TEXT,
        to_name             TEXT,
        customer_number     TEXT,
        placed_by_role      TEXT,
        placed_by_name      TEXT,
        answered_by_role    TEXT,
        answered_by_user_id TEXT,
        answered_by_name    TEXT,
        queue_id            TEXT,
        queue_name          TEXT,
        reason              TEXT,
        reason_source       TEXT,
        ivr_exit            TEXT,
        ivr_ms INTEGER, queue_ms INTEGER, alert_ms INTEGER, talk_ms INTEGER, hold_ms INTEGER,
        acw_ms INTEGER, handle_ms INTEGER, voicemail_ms INTEGER,
        wrapup_code_id      TEXT,
        wrapup_code_name    TEXT,
        wrapup_note         TEXT,
        disconnect_by       TEXT,
        disconnect_type     TEXT,
        outcome             TEXT NOT NULL,
        transfers           INTEGER NOT NULL,
        warnings            INTEGER NOT NULL,
        record_json         TEXT NOT NULL     -- the whole call record
    );
    CREATE INDEX calls_start ON calls(start_ms);
    CREATE INDEX calls_queue ON calls(queue_id);
    CREATE INDEX calls_agent ON calls(answered_by_user_id);

    CREATE TABLE phases (
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
        start_ms INTEGER, end_ms INTEGER, duration_ms INTEGER, participant_id TEXT, purpose TEXT,
        user_id TEXT, queue_id TEXT, name TEXT,
        PRIMARY KEY (conversation_id, seq)
    );
    CREATE TABLE agent_legs (
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, user_id TEXT, name TEXT, queue_id TEXT,
        queue_name TEXT, alerted_ms INTEGER, connected_ms INTEGER, alert_ms INTEGER, talk_ms INTEGER,
        hold_ms INTEGER, acw_ms INTEGER, answered INTEGER NOT NULL, not_responding INTEGER NOT NULL,
        wrapup_code_id TEXT, wrapup_code_name TEXT, disconnect_type TEXT,
        PRIMARY KEY (conversation_id, seq)
    );
    CREATE TABLE ivr_steps (
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, step TEXT NOT NULL,
        PRIMARY KEY (conversation_id, seq)
    );

    CREATE TABLE lookups (
        kind TEXT NOT NULL,      -- users, queues, wrapup_codes, flows, flow_outcomes
        id   TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );

    CREATE TABLE syncs (
        id          INTEGER PRIMARY KEY,
        from_ms     INTEGER NOT NULL,
        to_ms       INTEGER NOT NULL,
        mode        TEXT NOT NULL,
        started_ms  INTEGER NOT NULL,
        finished_ms INTEGER,
        state       TEXT NOT NULL    -- running, done, incomplete
    );
    CREATE TABLE sync_windows (
        sync_id  INTEGER NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms   INTEGER NOT NULL,
        mode     TEXT NOT NULL,      -- query or job
        state    TEXT NOT NULL,      -- pending, done
        records  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sync_id, start_ms, end_ms)
    );

    CREATE TABLE quarantine (
        id              INTEGER PRIMARY KEY,
        conversation_id TEXT,
        raw_lz4         BLOB NOT NULL,
        error           TEXT NOT NULL,
        at_ms           INTEGER NOT NULL
    );
    ",
    // 2: what reports and exports read without parsing each call record — the IVR path, who
    // left the concluding wrap-up — a change sequence for incremental exports, and their state.
    // The call record's JSON moves to its own table so scans of `calls` stay narrow.
    r"
    ALTER TABLE calls ADD COLUMN ivr_path TEXT;          -- JSON array of the IVR path's steps
    ALTER TABLE calls ADD COLUMN wrapup_user_id TEXT;
    ALTER TABLE calls ADD COLUMN wrapup_user_name TEXT;
    ALTER TABLE calls ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
    UPDATE calls SET
        ivr_path = (SELECT json_group_array(step) FROM
            (SELECT step FROM ivr_steps s WHERE s.conversation_id = calls.conversation_id ORDER BY seq)),
        wrapup_user_id = json_extract(record_json, '$.wrapup.user_id'),
        change_seq = rowid;
    UPDATE calls SET wrapup_user_name = (SELECT name FROM agent_legs a
        WHERE a.conversation_id = calls.conversation_id AND a.user_id = calls.wrapup_user_id LIMIT 1);
    CREATE INDEX calls_change ON calls(change_seq);
    CREATE TABLE call_records (
        conversation_id TEXT PRIMARY KEY,
        record_json     TEXT NOT NULL    -- the whole call record
    );
    INSERT INTO call_records SELECT conversation_id, record_json FROM calls;
    ALTER TABLE calls DROP COLUMN record_json;

    -- A call's phases, legs and steps stored together and in call start order (clustered by
    -- call_start_ms, the call's start, or the smallest integer when it has none): a day's rows are one range,
    -- read without a join.
    CREATE TABLE phases_new (
        call_start_ms INTEGER NOT NULL,
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
        start_ms INTEGER, end_ms INTEGER, duration_ms INTEGER, participant_id TEXT, purpose TEXT,
        user_id TEXT, queue_id TEXT, name TEXT,
        PRIMARY KEY (call_start_ms, conversation_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO phases_new SELECT coalesce(c.start_ms, -9223372036854775808), p.* FROM phases p JOIN calls c USING (conversation_id);
    DROP TABLE phases;
    ALTER TABLE phases_new RENAME TO phases;
    CREATE TABLE agent_legs_new (
        call_start_ms INTEGER NOT NULL,
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, user_id TEXT, name TEXT, queue_id TEXT,
        queue_name TEXT, alerted_ms INTEGER, connected_ms INTEGER, alert_ms INTEGER, talk_ms INTEGER,
        hold_ms INTEGER, acw_ms INTEGER, answered INTEGER NOT NULL, not_responding INTEGER NOT NULL,
        wrapup_code_id TEXT, wrapup_code_name TEXT, disconnect_type TEXT,
        PRIMARY KEY (call_start_ms, conversation_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO agent_legs_new SELECT coalesce(c.start_ms, -9223372036854775808), a.* FROM agent_legs a JOIN calls c USING (conversation_id);
    DROP TABLE agent_legs;
    ALTER TABLE agent_legs_new RENAME TO agent_legs;
    CREATE TABLE ivr_steps_new (
        call_start_ms INTEGER NOT NULL,
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, step TEXT NOT NULL,
        PRIMARY KEY (call_start_ms, conversation_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO ivr_steps_new SELECT coalesce(c.start_ms, -9223372036854775808), s.* FROM ivr_steps s JOIN calls c USING (conversation_id);
    DROP TABLE ivr_steps;
    ALTER TABLE ivr_steps_new RENAME TO ivr_steps;

    CREATE TABLE exports (
        dir         TEXT NOT NULL,       -- the output folder, as given
        format      TEXT NOT NULL,       -- parquet, csv, ndjson
        zone        TEXT NOT NULL,       -- the time zone that cut the days
        tables      TEXT NOT NULL,       -- which tables, comma-separated
        change_seq  INTEGER NOT NULL,    -- calls changed after this are not yet exported
        exported_ms INTEGER NOT NULL,
        PRIMARY KEY (dir, format)
    );
    ",
    // 3: customer numbers indexed, so finding a caller's calls is a lookup, not a scan.
    r"
    CREATE INDEX calls_number ON calls(customer_number);
    ",
    // 4: the calls list's free-text search: a trigram index of the searched columns, so a
    // word found in a handful of a million calls is a lookup, not a pass over every call.
    // Kept by triggers, since `calls` rows are only ever inserted, updated or deleted.
    r"
    CREATE VIRTUAL TABLE calls_search USING fts5(
        conversation_id, customer_number, from_address, to_address, answered_by_name, reason,
        wrapup_code_name, queue_name,
        content = 'calls', content_rowid = 'rowid', tokenize = 'trigram'
    );
    INSERT INTO calls_search (calls_search) VALUES ('rebuild');
    CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN
        INSERT INTO calls_search (rowid, conversation_id, customer_number, from_address, to_address,
            answered_by_name, reason, wrapup_code_name, queue_name)
        VALUES (new.rowid, new.conversation_id, new.customer_number, new.from_address, new.to_address,
            new.answered_by_name, new.reason, new.wrapup_code_name, new.queue_name);
    END;
    CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
        INSERT INTO calls_search (calls_search, rowid, conversation_id, customer_number, from_address,
            to_address, answered_by_name, reason, wrapup_code_name, queue_name)
        VALUES ('delete', old.rowid, old.conversation_id, old.customer_number, old.from_address,
            old.to_address, old.answered_by_name, old.reason, old.wrapup_code_name, old.queue_name);
    END;
    CREATE TRIGGER calls_search_update AFTER UPDATE OF conversation_id, customer_number, from_address,
        to_address, answered_by_name, reason, wrapup_code_name, queue_name ON calls BEGIN
        INSERT INTO calls_search (calls_search, rowid, conversation_id, customer_number, from_address,
            to_address, answered_by_name, reason, wrapup_code_name, queue_name)
        VALUES ('delete', old.rowid, old.conversation_id, old.customer_number, old.from_address,
            old.to_address, old.answered_by_name, old.reason, old.wrapup_code_name, old.queue_name);
        INSERT INTO calls_search (rowid, conversation_id, customer_number, from_address, to_address,
            answered_by_name, reason, wrapup_code_name, queue_name)
        VALUES (new.rowid, new.conversation_id, new.customer_number, new.from_address, new.to_address,
            new.answered_by_name, new.reason, new.wrapup_code_name, new.queue_name);
    END;
    ",
    // 5: what a sync went on without (a listing or the Conversations API refused), kept with
    // it, so whoever reads the status later sees it and not only whoever watched the run.
    r"
    ALTER TABLE syncs ADD COLUMN warnings TEXT;
    ",
    // 6: each wait of a call in a queue, as the queue performance report counts them (see
    // `CallRecord::visit_rows`) and the lake exports them, clustered like the other parts of a
    // call; filled here from the stored call records (each visit with its call's media:
    // `calltrail rederive` gives a callback's wait its own).
    r"
    CREATE TABLE queue_visits (
        call_start_ms INTEGER NOT NULL,
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, queue_id TEXT, queue_name TEXT,
        media_type TEXT,                -- of the queue's session: a callback waits as `callback`
        entered_ms INTEGER, left_ms INTEGER, wait_ms INTEGER NOT NULL, outcome TEXT NOT NULL,
        handle_ms INTEGER NOT NULL,     -- of the agents who answered from the queue, on its first answered visit
        PRIMARY KEY (call_start_ms, conversation_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO queue_visits
    SELECT coalesce(c.start_ms, -9223372036854775808), c.conversation_id, q.key,
        json_extract(q.value, '$.queue_id'),
        json_extract(q.value, '$.queue_name'),
        c.media_type,                   -- the call record keeps no visit's own media
        CAST(round(unixepoch(json_extract(q.value, '$.entered_at'), 'subsec') * 1000) AS INTEGER),
        CAST(round(unixepoch(json_extract(q.value, '$.left_at'), 'subsec') * 1000) AS INTEGER),
        json_extract(q.value, '$.wait_ms'),
        json_extract(q.value, '$.outcome'),
        CASE WHEN json_extract(q.value, '$.outcome') = 'answered' AND NOT EXISTS (
                SELECT 1 FROM json_each(r.record_json, '$.queues') e
                WHERE e.key < q.key AND json_extract(e.value, '$.outcome') = 'answered'
                  AND json_extract(e.value, '$.queue_id') IS json_extract(q.value, '$.queue_id'))
            THEN (SELECT coalesce(sum(json_extract(a.value, '$.talk_ms') + json_extract(a.value, '$.hold_ms')
                                      + json_extract(a.value, '$.acw_ms')), 0)
                  FROM json_each(r.record_json, '$.agents') a
                  WHERE json_extract(a.value, '$.answered')
                    AND json_extract(a.value, '$.queue_id') IS json_extract(q.value, '$.queue_id'))
            ELSE 0 END
    FROM calls c JOIN call_records r USING (conversation_id), json_each(r.record_json, '$.queues') q;
    ",
    // 7: the `[reason]` and `[ivr]` settings the archive's calls were derived with (JSON), so
    // that a later sync or rederive without calltrail.toml keeps them, and one with other
    // settings can say so.
    r"
    CREATE TABLE settings (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        json TEXT NOT NULL
    );
    ",
    // 8: each queue's service-level target per media, from its settings (the queue listing's
    // `mediaSettings`), which queue performance measures waits against.
    r"
    CREATE TABLE queue_service_levels (
        queue_id  TEXT NOT NULL,
        media     TEXT NOT NULL,      -- voice, callback, chat, email, message
        target_ms INTEGER NOT NULL,   -- waits answered within it meet the service level
        goal      REAL,               -- the share of waits the queue aims to answer within it
        PRIMARY KEY (queue_id, media)
    ) WITHOUT ROWID;
    ",
    // 9: how often data that is not a call but changes what reports say (the queues'
    // service-level targets) has changed; it counts in the archive's change sequence, so the
    // web UI's caches and report index notice.
    r"
    CREATE TABLE revisions (
        what TEXT PRIMARY KEY,      -- queue_service_levels
        seq  INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
    // 10: quarantined records found by conversation, so a record fetched again as it was (a
    // neighbouring window, a resumed or incremental sync) is kept once.
    r"
    CREATE INDEX IF NOT EXISTS quarantine_by_conversation ON quarantine (conversation_id);
    ",
    // 11: each call's participant data (the attributes its flows set), clustered like a call's
    // other parts, so calls are found by a key and its value; filled here from the stored call
    // records.
    r"
    CREATE TABLE attributes (
        call_start_ms INTEGER NOT NULL,
        conversation_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (call_start_ms, conversation_id, key)
    ) WITHOUT ROWID;
    INSERT INTO attributes
    SELECT coalesce(c.start_ms, -9223372036854775808), c.conversation_id, a.key, a.value
    FROM calls c JOIN call_records r USING (conversation_id), json_each(r.record_json, '$.ivr.attributes') a
    WHERE a.type = 'text';
    ",
    // 12: the search index is kept by each batch of writes, in bulk when it ends (see
    // `search`), not row by row by triggers.
    r"
    DROP TRIGGER IF EXISTS calls_search_insert;
    DROP TRIGGER IF EXISTS calls_search_delete;
    DROP TRIGGER IF EXISTS calls_search_update;
    ",
    // 13: a customer's calls in start order, so each call's next contact from the same
    // customer is one seek (`report repeats`); the number filter's ranges use it as they used
    // the index it replaces.
    r"
    CREATE INDEX IF NOT EXISTS calls_number_start ON calls(customer_number, start_ms);
    DROP INDEX IF EXISTS calls_number;
    ",
];
