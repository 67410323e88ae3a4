//! The `calltrail` binary as a user runs it: real files, real pipes, real exit codes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_calltrail"));
    cmd.env_remove("NO_COLOR").env_remove("CALLTRAIL_CONFIG");
    cmd
}

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/genesys").join(name)
}

fn run(args: &[&str], stdin: &[u8], dir: &Path) -> Output {
    let mut child = bin()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn record(id: &str) -> String {
    format!(
        r#"{{"conversationId":"{id}","conversationStart":"2024-01-02T10:00:00.000Z","conversationEnd":"2024-01-02T10:05:00.000Z","participants":[{{"purpose":"customer","participantId":"p1","sessions":[{{"mediaType":"voice","direction":"inbound","ani":"tel:+15550001","dnis":"tel:+15559999","segments":[{{"segmentType":"interact","segmentStart":"2024-01-02T10:00:00.000Z","segmentEnd":"2024-01-02T10:05:00.000Z","disconnectType":"endpoint"}}]}}]}}]}}"#
    )
}

#[test]
fn malformed_records_are_named_and_the_good_ones_still_explained() {
    let dir = tempfile::tempdir().unwrap();
    let good = record("good-1");
    let truncated = &record("cut-2")[..180];
    let wrong_type = record("wrong-3").replace(r#""participants":["#, r#""participants":5,"x":["#);
    let input =
        format!("{good}\n{truncated}\n\n{wrong_type}\n\u{0}\u{1}\u{fffd}garbage\n{}\n", record("good-5"));
    let out = run(&["explain", "--format", "ndjson"], input.as_bytes(), dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let ids: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["conversation_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["good-1", "good-5"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 2: conversation `cut-2`: EOF while parsing a string (column 180)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "line 4: conversation `wrong-3`: participants: invalid type: integer `5`, expected a sequence"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("line 5: "), "{stderr}");
    assert!(stderr.contains("3 record(s) could not be read"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn documents_that_are_not_detail_records_are_named_for_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let error = r#"{"message":"You are missing the following permission(s): [analytics:conversationDetail:view]","code":"missing.any.permissions","status":403,"contextId":"c-1"}"#;
    let listing = r#"{"entities":[{"id":"x"}],"pageSize":25,"pageNumber":1}"#;
    let input = format!("{}\n{error}\n{listing}\n{{}}\n{}\n", record("good-1"), record("good-5"));
    let out = run(&["explain", "--format", "ndjson"], input.as_bytes(), dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2, "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    for expected in [
        "line 2: not a detail record but an API error response (403 missing.any.permissions): You are missing",
        "line 3: not a detail record: it has no conversationId and no participants (its keys: entities, pageNumber, pageSize)",
        "line 4: not a detail record: the object is empty",
        "3 record(s) could not be read",
    ] {
        assert!(stderr.contains(expected), "{expected} not in {stderr}");
    }
}

#[test]
fn empty_and_missing_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain"], b"  \n", dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no input"));
    let out = run(&["explain", "no-such-file.json"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot open `no-such-file.json`"));
    std::fs::create_dir(dir.path().join("records")).unwrap();
    let out = run(&["explain", "records"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`records` is a folder"), "{}", text(&out.stderr));
}

#[test]
fn binary_garbage_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> =
        (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0]).collect();
    let out = run(&["explain"], &garbage, dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).is_empty());
    assert!(text(&out.stderr).contains("error:"));
}

#[test]
fn pretty_documents_pages_and_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let page = std::fs::read(testdata("viadot-details-query-response-voice-ivr.json")).unwrap();
    let out = run(&["explain", "--format", "json"], &page, dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let calls: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(calls.as_array().unwrap().len(), 1);
    assert_eq!(calls[0]["ivr"]["exit"], "transfer");

    // A page on one NDJSON line, then a bare array: three calls.
    let one_line = format!("{{\"conversations\":[{},{}]}}\n[{}]\n", record("a"), record("b"), record("c"));
    let out = run(&["explain", "--format", "json"], one_line.as_bytes(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let calls: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> =
        calls.as_array().unwrap().iter().map(|c| c["conversation_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "c"]);

    let out = run(&["explain", "--format", "json"], b"", dir.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn text_tells_the_story() {
    let dir = tempfile::tempdir().unwrap();
    let chat = std::fs::read(testdata("blueprint-sql-chat-conversation.json")).unwrap();
    let out = run(&["explain", "--format", "text"], &chat, dir.path());
    assert!(out.status.success());
    let story = text(&out.stdout);
    for expected in [
        "Conversation 1bc96a39-6725-40c4-9345-db72aa67b8c6 · chat · Inbound",
        "From       John Doe (customer)",
        "Hung up    system (timeout)",
        "Outcome    answered",
        "Timeline",
    ] {
        assert!(story.contains(expected), "missing {expected:?} in\n{story}");
    }
}

#[test]
fn lookups_attributes_and_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("calltrail.toml"),
        "[reason]\nattributes = [\"Final Main Intent\"]\n[ivr]\ncheckpoints = [\"MainIntent1\"]\n",
    )
    .unwrap();
    std::fs::copy(
        testdata("viadot-get-conversation-participant-attributes.json"),
        dir.path().join("api.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("lookups.json"), r#"{"users": {"u9": "Zed Agent"}}"#).unwrap();
    let detail = record("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    let out = run(
        &["explain", "--format", "ndjson", "--attributes", "api.json", "--lookups", "lookups.json"],
        detail.as_bytes(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let call: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(call["ivr"]["reason"], "finalmainintent");
    assert_eq!(call["ivr"]["path"], serde_json::json!(["MainIntent1=mainintent1"]));

    std::fs::write(dir.path().join("bad.toml"), "[reasons]\nattributes = 1\n").unwrap();
    let out = run(&["--config", "bad.toml", "explain"], detail.as_bytes(), dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("configuration file `bad.toml` is not valid"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(dir.path().join("bad-lookups.json"), "{").unwrap();
    let out = run(&["explain", "--lookups", "bad-lookups.json"], detail.as_bytes(), dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_file_of_something_else_is_counted_not_echoed_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = (1..=150).map(|i| format!("{i},2024-01-02,inbound,answered\n")).collect::<Vec<_>>().concat();
    let input = format!("{csv}{}\n", record("good-151"));
    let named = |stderr: &str| stderr.lines().filter(|l| l.starts_with("error: line ")).count();
    let out = run(&["explain", "--format", "ndjson"], input.as_bytes(), dir.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(named(&stderr), 100, "{stderr}");
    assert!(stderr.contains("more than 100 records could not be read; the rest are counted"), "{stderr}");
    assert!(stderr.contains("150 record(s) could not be read; the first 100 are named above"), "{stderr}");
    assert!(text(&out.stdout).contains("good-151"));
    let out = run(&["-v", "explain", "--format", "ndjson"], input.as_bytes(), dir.path());
    assert_eq!(named(&text(&out.stderr)), 150, "{}", text(&out.stderr));
}

/// `text` as PowerShell saves it: `Out-File` (and `>`) in UTF-16 with a byte-order mark,
/// `-Encoding utf8` in UTF-8 behind one.
fn as_powershell_saves(text: &[u8]) -> [Vec<u8>; 2] {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(String::from_utf8_lossy(text).encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    [utf16, [&[0xEF, 0xBB, 0xBF][..], text].concat()]
}

#[test]
fn files_saved_by_powershell_are_explained_like_the_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let pretty = std::fs::read(testdata("viadot-details-query-response-voice-ivr.json")).unwrap();
    let ndjson_text =
        format!("{}\n{}\n", record("line-1"), record("line-2").replace("+15550001", "+4930 Müller"));
    let api = std::fs::read(testdata("viadot-get-conversation-participant-attributes.json")).unwrap();
    let lookups = r#"{"queues": {"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx": "Kundenservice Köln"}}"#.as_bytes();
    std::fs::write(dir.path().join("api.json"), &api).unwrap();
    std::fs::write(dir.path().join("lookups.json"), lookups).unwrap();
    let args = ["explain", "--format", "ndjson", "--attributes", "api.json", "--lookups", "lookups.json"];
    for (input, calls) in [(pretty, 1), (ndjson_text.clone().into_bytes(), 2)] {
        let plain = run(&args, &input, dir.path());
        assert!(plain.status.success(), "{}", text(&plain.stderr));
        assert_eq!(text(&plain.stdout).lines().count(), calls, "{}", text(&plain.stdout));
        for (saved, (api, lookups)) in as_powershell_saves(&input)
            .into_iter()
            .zip(as_powershell_saves(&api).into_iter().zip(as_powershell_saves(lookups)))
        {
            std::fs::write(dir.path().join("api.json"), api).unwrap();
            std::fs::write(dir.path().join("lookups.json"), lookups).unwrap();
            // From stdin and from a file.
            std::fs::write(dir.path().join("saved.json"), &saved).unwrap();
            let from_file = [&args[..], &["saved.json"]].concat();
            for out in [run(&args, &saved, dir.path()), run(&from_file, b"", dir.path())] {
                assert!(out.status.success(), "{}", text(&out.stderr));
                assert_eq!(text(&out.stdout), text(&plain.stdout));
            }
        }
    }
    // What is not ASCII comes through UTF-16 intact.
    let out = run(&args, &as_powershell_saves(ndjson_text.as_bytes())[0], dir.path());
    assert!(text(&out.stdout).contains("+4930 Müller"), "{}", text(&out.stdout));
}

#[test]
fn default_format_is_ndjson_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain"], record("p").as_bytes(), dir.path());
    assert!(out.status.success());
    let line = text(&out.stdout);
    assert_eq!(line.lines().count(), 1);
    assert!(line.starts_with("{\"conversation_id\":\"p\""));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let input: String = (0..20_000).map(|i| record(&format!("c{i}")) + "\n").collect();
    let path = dir.path().join("many.ndjson");
    std::fs::write(&path, input).unwrap();
    let mut child = bin()
        .args(["explain", "--format", "ndjson"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here: stdout is closed while calltrail still writes.
    let out = child.wait_with_output().unwrap();
    assert!(first.contains("\"c0\""));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn fields_glossary() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["fields", "sessionDnis"], b"", dir.path());
    assert!(out.status.success());
    let page = text(&out.stdout);
    assert!(page.contains("session.sessionDnis") && page.contains("Pitfalls:"), "{page}");

    let out = run(&["fields", "segmentTyp"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `segmentType`"));

    let out = run(&["fields", "--format", "json"], b"", dir.path());
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(all.as_array().unwrap().len() > 200);

    let out = run(&["fields"], b"", dir.path());
    let list = text(&out.stdout);
    assert!(list.contains("AnalyticsConversationSegment"));
    // Long names stand on a line of their own, their meaning under the column beneath.
    assert!(list.lines().all(|l| l.chars().count() <= 100), "{list}");
    assert!(
        list.contains(
            "  conversation.mediaStatsMinConversationMos\n                                     The worst"
        ),
        "{list}"
    );
    let page = text(&run(&["fields", "disconnectType"], b"", dir.path()).stdout);
    assert!(page.lines().all(|l| l.chars().count() <= 100), "{page}");
    // A value found in a record leads to the field it is a value of.
    let value = run(&["fields", "ININ-WRAP-UP-TIMEOUT"], b"", dir.path());
    assert!(value.status.success());
    assert!(text(&value.stdout).starts_with("segment.wrapUpCode"), "{}", text(&value.stdout));
    assert!(text(&value.stderr).contains("`ININ-WRAP-UP-TIMEOUT` is a value of segment.wrapUpCode"));
    let begun = run(&["fields", "tNotResp"], b"", dir.path());
    assert_eq!(begun.status.code(), Some(2));
    assert!(text(&begun.stderr).contains("did you mean `tNotResponding`?"), "{}", text(&begun.stderr));
}

#[test]
fn help_teaches() {
    let out = bin().args(["explain", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(
        help.contains("NDJSON") && help.contains("--lookups") && help.contains("exit code is 1"),
        "{help}"
    );
    let out = bin().args(["explain", "--format", "yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// What bash offers after the words typed so far (the last one being completed), through the
/// script `calltrail completions bash` prints.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; _calltrail calltrail '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Command::new("bash").args(["--norc", "-c", &program]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn completion_scripts_complete_commands_options_and_their_values() {
    let dir = tempfile::tempdir().unwrap();
    // A broken calltrail.toml does not stop a completion script being printed.
    std::fs::write(dir.path().join("calltrail.toml"), "[reason\n").unwrap();
    let out = run(&["completions", "bash"], b"", dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = dir.path().join("calltrail.bash");
    std::fs::write(&script, &out.stdout).unwrap();

    assert_eq!(bash_completes(&script, &["calltrail", "rep"]), ["report"]);
    assert_eq!(bash_completes(&script, &["calltrail", "re"]), ["report", "rederive"]);
    let reports = bash_completes(&script, &["calltrail", "report", ""]);
    for name in ["ivr", "reasons", "phases", "queues", "wrapups", "abandons", "agents", "--tz", "--media"] {
        assert!(reports.iter().any(|w| w == name), "{name} in {reports:?}");
    }
    assert_eq!(
        bash_completes(&script, &["calltrail", "explain", "--format", ""]),
        ["text", "json", "ndjson", "csv"]
    );
    assert_eq!(bash_completes(&script, &["calltrail", "sync", "--mode", ""]), ["auto", "query", "jobs"]);

    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell], b"", dir.path());
        assert!(out.status.success() && text(&out.stdout).contains("rederive"), "{shell}");
    }
    assert_eq!(run(&["completions", "tcsh"], b"", dir.path()).status.code(), Some(2));
}
#[test]
fn sim_generate_is_reproducible_and_explainable() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "sim",
        "generate",
        "--calls",
        "300",
        "--days",
        "2",
        "--seed",
        "5",
        "--truth",
        "truth.ndjson",
        "--lookups",
        "lookups.json",
    ];
    let first = run(&args, b"", dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let truth = std::fs::read_to_string(dir.path().join("truth.ndjson")).unwrap();
    let second = run(&args, b"", dir.path());
    assert_eq!(first.stdout, second.stdout, "same arguments, same records");
    assert_eq!(text(&first.stdout).lines().count(), 300);
    assert_eq!(truth.lines().count(), 300);
    let first_truth: serde_json::Value = serde_json::from_str(truth.lines().next().unwrap()).unwrap();
    assert!(first_truth["scenario"].is_string() && first_truth["conversation_id"].is_string());

    // Every format is read by explain: 300 calls each.
    for format in ["ndjson", "query", "jobs"] {
        let records = run(
            &["sim", "generate", "--calls", "300", "--days", "2", "--seed", "5", "--format", format],
            b"",
            dir.path(),
        );
        let out =
            run(&["explain", "--format", "ndjson", "--lookups", "lookups.json"], &records.stdout, dir.path());
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout).lines().count(), 300, "{format}");
    }
    let other = run(&["sim", "generate", "--calls", "300", "--days", "2", "--seed", "6"], b"", dir.path());
    assert_ne!(first.stdout, other.stdout);
}

/// Rows of CSV text: quoted cells (with doubled quotes, commas and line ends inside) or plain.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (_, c) => cell.push(c),
        }
    }
    rows
}

#[test]
fn csv_gives_one_formula_safe_row_per_call_agreeing_with_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let generated = run(
        &["sim", "generate", "--calls", "200", "--days", "2", "--lookups", "lookups.json"],
        b"",
        dir.path(),
    );
    // One caller-influenced name a spreadsheet would run as a formula, with a comma and quotes.
    let hostile = record("c-hostile").replace(
        r#""participantId":"p1""#,
        r#""participantId":"p1","participantName":"=HYPERLINK(\"http://x\", \"y\")""#,
    );
    let mut input = generated.stdout.clone();
    input.extend_from_slice(hostile.as_bytes());
    input.push(b'\n');
    let explain =
        |format: &str| run(&["explain", "--format", format, "--lookups", "lookups.json"], &input, dir.path());
    let (csv, ndjson) = (explain("csv"), explain("ndjson"));
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    let rows = parse_csv(&text(&csv.stdout));
    let header = &rows[0];
    assert_eq!(header, &calltrail_explain::flat::COLUMNS.map(str::to_owned).to_vec());
    let records: Vec<serde_json::Value> =
        text(&ndjson.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len() - 1, records.len());
    assert_eq!(records.len(), 201);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, call) in rows[1..].iter().zip(&records) {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[column("conversation_id")], call["conversation_id"].as_str().unwrap());
        assert_eq!(row[column("outcome")], call["outcome"].as_str().unwrap());
        assert_eq!(row[column("talk_ms")], call["totals"]["talk_ms"].to_string());
        assert_eq!(row[column("answered_by_name")], call["answered_by"]["name"].as_str().unwrap_or(""));
        assert_eq!(row[column("wrapup_code_name")], call["wrapup"]["code_name"].as_str().unwrap_or(""));
        let path: Vec<&str> =
            call["ivr"]["path"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert_eq!(row[column("ivr_path")], path.join(" › "));
    }
    let last = rows.last().unwrap();
    assert_eq!(last[column("from_name")], "'=HYPERLINK(\"http://x\", \"y\")", "neutralised, whole");
    // No calls is still a table.
    let none = run(&["explain", "--format", "csv"], b"{\"conversations\": []}", dir.path());
    assert_eq!(text(&none.stdout), calltrail_explain::flat::csv_header());
}

#[test]
fn text_read_from_input_reaches_the_terminal_written_out_not_as_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let saved_error = b"{\"message\":\"\\u001b[2Jcleared\\u0007\",\"code\":\"bad.request\",\"status\":400}\n";
    let out = run(&["explain"], saved_error, dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{7}'), "{stderr:?}");
    assert!(stderr.contains("(400 bad.request): \\u{1b}[2Jcleared\\u{7}"), "{stderr}");
}

#[test]
fn sim_server_prints_its_address_and_rejects_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["sim", "--faults", "chaos"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown fault profile `chaos`"));
    let out = run(&["sim", "--client", "no-colon"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));

    let mut child = bin()
        .args(["-q", "sim", "--listen", "127.0.0.1:0", "--calls", "50"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut address = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut address).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(address.trim().starts_with("http://127.0.0.1:"), "{address}");
}

#[test]
fn an_archive_in_a_folder_not_yet_made_is_made_there() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["--no-progress", "--db", "archives/2024/calltrail.db", "demo", "--calls", "20", "--days", "1"],
        b"",
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("archives/2024/calltrail.db").is_file());
}

#[test]
fn demo_syncs_reports_and_the_archive_answers() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["--no-progress", "--db", "demo.db", "demo", "--calls", "400", "--days", "2", "--seed", "4"],
        b"",
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("400 calls in the archive"), "{report}");
    for section in
        ["Direction", "Outcome", "Why customers called", "Wrap-ups", "Contacted again", "Per queue"]
    {
        assert!(report.contains(section), "{section} missing in\n{report}");
    }
    assert!(text(&out.stderr).contains("0 answered 429"), "{}", text(&out.stderr));
    // Per queue, over voice: the queues report's offered calls (each wait in a queue as a
    // voice call, a callback's wait not), service level and speed of answer, as the archive
    // holds them.
    let archive = rusqlite::Connection::open(dir.path().join("demo.db")).unwrap();
    // Contacted again: the repeats report's sums over every reason.
    let repeats = run(&["--db", "demo.db", "report", "repeats", "--format", "ndjson"], b"", dir.path());
    let rows: Vec<serde_json::Value> =
        text(&repeats.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let sum = |key: &str| rows.iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    let line = format!(
        "Contacted again within 7 days: {} of {} inbound calls",
        sum("contacted_again"),
        sum("calls")
    );
    assert!(report.contains(&line), "{line} in\n{report}");
    let (queue, offered, answered, waited): (String, i64, i64, i64) = archive
        .query_row(
            "SELECT queue_name, count(*), sum(outcome = 'answered'), sum(CASE WHEN outcome = 'answered' THEN wait_ms END)
             FROM queue_visits WHERE media_type = 'voice' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let row = report
        .lines()
        .skip_while(|l| !l.starts_with("Per queue (voice)"))
        .find(|l| l.trim_start().starts_with(&queue))
        .expect(&report);
    let speed_of_answer = calltrail_explain::story::duration((waited + answered / 2) / answered);
    let cells: Vec<&str> = row[queue.len() + 2..].split_whitespace().collect();
    assert_eq!((cells[0], cells[1]), (offered.to_string().as_str(), answered.to_string().as_str()), "{row}");
    assert!(cells[3].ends_with('%') && row.contains(&speed_of_answer), "{row} / {speed_of_answer}");
    // After the service level and its target ("76% in 30.0s"), the queue's goal for voice.
    let goal: f64 = archive
        .query_row(
            "SELECT goal FROM queue_service_levels WHERE media = 'voice'
               AND queue_id = (SELECT queue_id FROM queue_visits WHERE queue_name = ?1 LIMIT 1)",
            [&queue],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((cells[4], cells[6]), ("in", format!("{:.0}%", goal * 100.0).as_str()), "{row}");
    assert!(!report.contains("(no queue)"), "calls that never queued are not a queue's");

    // The archive answers: calls filtered, as CSV and NDJSON; one call explained from it.
    let csv = run(&["--db", "demo.db", "calls", "--outcome", "answered", "--format", "csv"], b"", dir.path());
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    let csv = text(&csv.stdout);
    assert!(csv.starts_with("conversation_id,start,"));
    assert!(csv.lines().skip(1).all(|l| l.contains(",answered,")), "{csv}");
    let chats = run(&["--db", "demo.db", "calls", "--media", "chat", "--format", "csv"], b"", dir.path());
    let chats = text(&chats.stdout);
    assert!(chats.lines().count() > 1, "{chats}");
    assert!(chats.lines().skip(1).all(|l| l.split(',').nth(3) == Some("chat")), "{chats}");
    // For people, durations read as durations; for machines (the CSV above) they stay milliseconds.
    let table =
        run(&["--db", "demo.db", "calls", "--outcome", "answered", "--format", "table"], b"", dir.path());
    let table = text(&table.stdout);
    // (The first row follows the heading's rule; headings may take two lines.)
    let first_row = table.lines().skip_while(|l| !l.starts_with("---")).nth(1).expect(&table);
    assert!(first_row.contains("m ") && first_row.contains("s  "), "{first_row}");
    let csv_first = csv.lines().nth(1).unwrap();
    let duration_ms: i64 = csv_first.split(',').nth(9).unwrap().parse().expect(csv_first);
    assert!(
        first_row.contains(&calltrail_explain::story::duration(duration_ms)),
        "{first_row} / {csv_first}"
    );
    let ndjson =
        run(&["--db", "demo.db", "calls", "--direction", "outbound", "--format", "ndjson"], b"", dir.path());
    let first = text(&ndjson.stdout).lines().next().unwrap().to_owned();
    let call: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(call["direction"], "outbound");
    // Names as people type them: any case finds the archive's spelling; a part of a name is
    // not a name, and the warning says which are; a value outside a fixed set is refused.
    let count = |args: &[&str]| {
        let out = run(&[&["--db", "demo.db", "calls", "--format", "csv"], args].concat(), b"", dir.path());
        assert!(out.status.success(), "{}", text(&out.stderr));
        (text(&out.stdout).lines().count() - 1, text(&out.stderr))
    };
    let as_named = count(&["--queue", &queue, "--direction", "Inbound", "--outcome", "ANSWERED"]);
    assert!(as_named.0 > 0);
    assert_eq!(
        count(&["--queue", &queue.to_uppercase(), "--direction", "inbound", "--outcome", "answered"]),
        as_named
    );
    let agent = call["placed_by"]["name"].as_str().expect("the demo names agents");
    let first_name = agent.split(' ').next().unwrap().to_lowercase();
    let (none, warning) = count(&["--agent", &first_name]);
    assert_eq!(none, 0);
    assert!(warning.contains(&format!("no agent is named `{first_name}` (did you mean `")), "{warning}");
    assert!(warning.contains(&format!("`{agent}`")), "{warning}");
    // An empty table says so, and where the archive's calls are; a list cut short says so.
    let none =
        run(&["--db", "demo.db", "calls", "--from", "2099-01-01", "--format", "table"], b"", dir.path());
    assert!(none.status.success() && none.stdout.is_empty());
    assert!(text(&none.stderr).starts_with("no calls match; the archive's 400 calls started from "));
    for format in ["csv", "ndjson", "json"] {
        let none =
            run(&["--db", "demo.db", "calls", "--from", "2099-01-01", "--format", format], b"", dir.path());
        assert!(none.status.success() && text(&none.stdout).lines().count() <= 1, "{format}");
        assert!(text(&none.stderr).starts_with("no calls match; the archive's 400 calls"), "{format}");
        let report = run(
            &["--db", "demo.db", "report", "queues", "--from", "2099-01-01", "--format", format],
            b"",
            dir.path(),
        );
        assert!(report.status.success(), "{}", text(&report.stderr));
        assert!(text(&report.stderr).starts_with("no calls match; the archive's 400 calls"), "{format}");
    }
    let reversed =
        run(&["--db", "demo.db", "calls", "--from", "2026-11-20", "--to", "2026-11-19"], b"", dir.path());
    assert_eq!(reversed.status.code(), Some(2));
    assert!(
        text(&reversed.stderr).contains("--to (2026-11-19 00:00) must be after --from (2026-11-20 00:00)")
    );
    let one = run(&["--db", "demo.db", "calls", "--limit", "1", "--format", "csv"], b"", dir.path());
    assert!(text(&one.stderr).contains("the first call that matches; --limit lists more"));
    let cut = run(&["--db", "demo.db", "calls", "--limit", "3", "--format", "csv"], b"", dir.path());
    assert_eq!(text(&cut.stdout).lines().count(), 4);
    assert!(text(&cut.stderr).contains("the first 3 calls that match; --limit lists more"));
    // Participant data: the calls whose flows set a key to a value (in any case), counted
    // from the call records themselves; the reports take the same filter.
    let (intent, with_intent): (String, usize) = archive
        .query_row(
            "SELECT json_extract(record_json, '$.ivr.attributes.MainIntent1') v, count(*) FROM call_records
             WHERE v IS NOT NULL GROUP BY v ORDER BY 2 DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let filter = format!("mainintent1={}", intent.to_uppercase());
    assert_eq!(count(&["--attribute", &filter]).0, with_intent);
    let reasons = run(
        &["--db", "demo.db", "report", "reasons", "--attribute", &filter, "--format", "ndjson"],
        b"",
        dir.path(),
    );
    let reported: u64 = text(&reasons.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["calls"].as_u64().unwrap())
        .sum();
    assert_eq!(reported, with_intent as u64);
    let no_key = run(&["--db", "demo.db", "calls", "--attribute", "=Billing"], b"", dir.path());
    assert_eq!(no_key.status.code(), Some(2));
    assert!(text(&no_key.stderr).contains("give a participant data key"), "{}", text(&no_key.stderr));
    for (flag, value) in [("--direction", "sideways"), ("--outcome", "abandoned")] {
        let refused = run(&["--db", "demo.db", "calls", flag, value], b"", dir.path());
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
        assert!(text(&refused.stderr).contains("possible values: "), "{}", text(&refused.stderr));
    }
    let id = call["conversation_id"].as_str().unwrap();
    let explained = run(&["--db", "demo.db", "explain", id, "--format", "ndjson"], b"", dir.path());
    assert!(explained.status.success());
    let again: serde_json::Value = serde_json::from_slice(&explained.stdout).unwrap();
    assert_eq!(again, call, "explaining from the archive gives the stored call record");
    let missing = run(&["--db", "demo.db", "explain", "no-such-id"], b"", dir.path());
    assert_eq!(missing.status.code(), Some(1));
    // A customer who called more than once: the story counts their calls in the archive and
    // says how to list them, which lists as many.
    let (regular, number, calls): (String, String, usize) = archive
        .query_row(
            "SELECT min(conversation_id), customer_number, count(*) FROM calls
             WHERE customer_number LIKE '+%' GROUP BY customer_number ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(calls > 1, "the simulator's regulars call more than once");
    let story = run(&["--db", "demo.db", "explain", &regular, "--format", "text"], b"", dir.path());
    let hint =
        format!("\n  Calls      {calls} with {number} in the archive: calltrail calls --number {number}\n");
    assert!(text(&story.stdout).contains(&hint), "{}", text(&story.stdout));
    assert_eq!(count(&["--number", &number]).0, calls);
    // Customers who contacted again: the report counts a regular's calls, each but the last
    // followed by another within the window.
    let repeats = run(
        &[
            "--db", "demo.db", "report", "repeats", "--within", "30d", "--number", &number, "--format",
            "ndjson",
        ],
        b"",
        dir.path(),
    );
    assert!(repeats.status.success(), "{}", text(&repeats.stderr));
    let rows: Vec<serde_json::Value> =
        text(&repeats.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let inbound: u64 = archive
        .query_row(
            "SELECT count(*) FROM calls WHERE customer_number = ?1 AND direction = 'inbound'",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    let sum = |key: &str| rows.iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("calls"), sum("contacted_again")), (inbound, inbound.saturating_sub(1)), "{rows:?}");
    let bad = run(&["--db", "demo.db", "report", "repeats", "--within", "soon"], b"", dir.path());
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
    // A conversation named by the start of its id, as pasted in any case; a start that several
    // ids share names them.
    let start = id[..8].to_uppercase();
    let by_start = run(&["--db", "demo.db", "explain", &start, "--format", "ndjson"], b"", dir.path());
    assert!(by_start.status.success(), "{}", text(&by_start.stderr));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&by_start.stdout).unwrap(), call);
    archive
        .execute_batch(&format!(
            "CREATE TEMP TABLE twin AS SELECT * FROM conversations WHERE id = '{id}';
             UPDATE twin SET id = id || '0'; INSERT INTO conversations SELECT * FROM twin;"
        ))
        .unwrap();
    let shared = run(&["--db", "demo.db", "explain", &start], b"", dir.path());
    assert_eq!(shared.status.code(), Some(2));
    assert!(
        text(&shared.stderr).contains(&format!("starts the ids of several conversations in the archive `demo.db`: {id}, {id}0; give more of the id")),
        "{}",
        text(&shared.stderr)
    );
    archive.execute_batch(&format!("DELETE FROM conversations WHERE id = '{id}0'")).unwrap();
    // A file of records explained with the archive named: ids become the archive's names.
    let records =
        run(&["sim", "generate", "--calls", "60", "--days", "2", "--seed", "4"], b"", dir.path()).stdout;
    std::fs::write(dir.path().join("records.ndjson"), &records).unwrap();
    let wrapups = |args: &[&str]| -> Vec<(String, Option<String>)> {
        let out = run(args, b"", dir.path());
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .filter_map(|line| {
                let call: serde_json::Value = serde_json::from_str(line).unwrap();
                let code = call["wrapup"]["code_id"].as_str()?.to_owned();
                Some((code, call["wrapup"]["code_name"].as_str().map(str::to_owned)))
            })
            .filter(|(code, _)| !code.starts_with("ININ-"))
            .collect()
    };
    let bare = wrapups(&["explain", "--format", "ndjson", "records.ndjson"]);
    assert!(!bare.is_empty() && bare.iter().all(|(_, name)| name.is_none()), "{bare:?}");
    let named = wrapups(&["--db", "demo.db", "explain", "--format", "ndjson", "records.ndjson"]);
    let names: std::collections::HashMap<String, String> = archive
        .prepare("SELECT id, name FROM lookups WHERE kind = 'wrapup_codes'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(named.len(), bare.len());
    for (code, name) in &named {
        assert_eq!(name.as_ref(), Some(&names[code]), "{code}");
    }
    // --lookups lays its names over the archive's.
    let (code, _) = &named[0];
    std::fs::write(dir.path().join("mine.json"), format!(r#"{{"wrapup_codes": {{"{code}": "Mine"}}}}"#))
        .unwrap();
    let mine = wrapups(&[
        "--db",
        "demo.db",
        "explain",
        "--format",
        "ndjson",
        "--lookups",
        "mine.json",
        "records.ndjson",
    ]);
    assert!(mine
        .iter()
        .all(|(c, name)| name.as_deref() == Some(if c == code { "Mine" } else { names[c].as_str() })));
    // An archive that cannot be read costs the names, not the explanations.
    std::fs::write(dir.path().join("not-an-archive.db"), "text").unwrap();
    let unnamed = run(
        &["--db", "not-an-archive.db", "explain", "--format", "ndjson", "records.ndjson"],
        b"",
        dir.path(),
    );
    assert!(unnamed.status.success(), "{}", text(&unnamed.stderr));
    assert!(text(&unnamed.stderr).contains("ids are not looked up as names"), "{}", text(&unnamed.stderr));
    assert_eq!(text(&unnamed.stdout).lines().count(), 60);
    // The archive remembers the settings its calls were derived with: a rederive with no
    // calltrail.toml keeps the demo's reasons.
    let reasons = || -> Vec<(String, Option<String>, Option<String>)> {
        archive
            .prepare("SELECT c.conversation_id, c.reason, json_extract(r.record_json, '$.ivr.path') FROM calls c JOIN call_records r USING (conversation_id) ORDER BY 1")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let before = reasons();
    assert!(
        before.iter().filter(|r| r.1.as_deref().is_some_and(|r| r.contains(" - "))).count() > 10,
        "Final Main Intent"
    );
    let rederive = run(&["--db", "demo.db", "rederive"], b"", dir.path());
    assert!(
        rederive.status.success() && text(&rederive.stderr).contains("derived 400 calls"),
        "{}",
        text(&rederive.stderr)
    );
    assert!(text(&rederive.stderr).contains("reason attributes: Final Main Intent, MainIntent1"));
    assert_eq!(reasons(), before, "the same reasons and IVR paths as the demo derived");
    // Times as people write them: the demo's calls since yesterday's UTC midnight.
    let since_yesterday: i64 = archive
        .query_row(
            "SELECT count(*) FROM calls WHERE start_ms >= unixepoch('now', 'start of day', '-1 day') * 1000",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let listed =
        run(&["--db", "demo.db", "calls", "--from", "yesterday", "--format", "csv"], b"", dir.path());
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(since_yesterday > 0 && since_yesterday < 400, "{since_yesterday}");
    assert_eq!(text(&listed.stdout).lines().count() - 1, usize::try_from(since_yesterday).unwrap());
    let bad = run(&["--db", "demo.db", "calls", "--from", "last tuesday"], b"", dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("today-7d"), "{}", text(&bad.stderr));

    // The archive at a glance: for a scheduler, the exit code says whether the last sync finished.
    let status = run(&["--db", "demo.db", "status", "--format", "text"], b"", dir.path());
    assert!(status.status.success(), "{}", text(&status.stderr));
    let status_text = text(&status.stdout);
    assert!(status_text.contains("Calls        400, started "), "{status_text}");
    assert!(status_text.contains("wrap-up codes") && status_text.contains(" done "), "{status_text}");
    let piped = run(&["--db", "demo.db", "status"], b"", dir.path());
    let json: serde_json::Value = serde_json::from_slice(&piped.stdout).expect("JSON when piped");
    assert_eq!(json["calls"]["count"], 400);
    // The participant data keys the calls carry, counted from the call records, most common
    // first: what [reason] and [ivr] can name.
    let mut carried: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut stmt = archive.prepare("SELECT record_json FROM call_records").unwrap();
    for record in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let record: serde_json::Value = serde_json::from_str(&record.unwrap()).unwrap();
        for key in record["ivr"]["attributes"].as_object().unwrap().keys() {
            *carried.entry(key.clone()).or_default() += 1;
        }
    }
    let mut expected: Vec<(String, u64)> = carried.into_iter().collect();
    expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let keys: Vec<(String, u64)> = json["attribute_keys"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["key"].as_str().unwrap().to_owned(), k["calls"].as_u64().unwrap()))
        .collect();
    assert!(expected.len() >= 3 && expected.iter().any(|(k, _)| k == "MainIntent1"), "{expected:?}");
    assert_eq!((json["attribute_keys"]["calls"].as_u64(), keys), (Some(400), expected));
    assert!(status_text.contains("Attributes   MainIntent1 ("), "{status_text}");
    // The queues' service-level targets the sync listed, per media, from the simulator's
    // queue settings (calls 20 s, one queue's 30 s).
    assert!(
        status_text.contains("Targets      voice 20.0s to 30.0s, ")
            && status_text.contains("(the settings of 5 queues)"),
        "{status_text}"
    );
    assert_eq!(json["service_levels"][0]["media"], "voice");
    assert_eq!(json["service_levels"][0]["longest_target_ms"], 30_000);
    assert_eq!(json["syncs"][0]["state"], "done");
    archive.execute("UPDATE syncs SET state = 'incomplete'", []).unwrap();
    let unfinished = run(&["--db", "demo.db", "status", "--format", "text"], b"", dir.path());
    assert_eq!(unfinished.status.code(), Some(1));
    assert!(text(&unfinished.stdout).contains("calltrail sync --resume"), "{}", text(&unfinished.stdout));

    // An archive from the version before queue visits were kept is upgraded when it is
    // opened, and says so first; its queue report then counts every wait as it did, a
    // callback's under its call's media until `rederive` gives it its own.
    // (With one target: an archive from before knows no queue's own until a sync lists them.)
    let queues = |dir: &Path| {
        run(&["--db", "demo.db", "report", "queues", "--target", "20s", "--format", "json"], b"", dir)
    };
    let current = queues(dir.path());
    assert!(!text(&current.stderr).contains("upgrading"), "{}", text(&current.stderr));
    archive
        .execute_batch(
            "DROP TABLE queue_visits; DROP TABLE settings; DROP TABLE queue_service_levels; DROP TABLE revisions;
             DROP TABLE attributes; PRAGMA user_version = 5;",
        )
        .unwrap();
    let upgraded = queues(dir.path());
    assert!(upgraded.status.success(), "{}", text(&upgraded.stderr));
    assert!(text(&upgraded.stderr).contains("upgrading the archive"), "{}", text(&upgraded.stderr));
    assert!(text(&upgraded.stderr).contains("`calltrail rederive` gives a callback's wait its own"));
    assert!(
        text(&upgraded.stderr).contains("until the next sync lists each queue's own service-level targets")
    );
    let per_queue = |out: &[u8]| {
        let rows: Vec<serde_json::Value> = serde_json::from_slice(out).unwrap();
        let mut counts: std::collections::BTreeMap<String, [u64; 3]> = std::collections::BTreeMap::new();
        for r in rows {
            let slot = counts.entry(format!("{} {}", r["queue"], r["day"])).or_default();
            for (i, key) in ["offered", "answered", "abandoned"].into_iter().enumerate() {
                slot[i] += r[key].as_u64().unwrap();
            }
        }
        counts
    };
    assert_eq!(per_queue(&upgraded.stdout), per_queue(&current.stdout));
    assert_ne!(text(&upgraded.stdout), text(&current.stdout), "callbacks wait as voice calls");
    let rederived = run(&["--db", "demo.db", "--no-progress", "rederive"], b"", dir.path());
    assert!(rederived.status.success(), "{}", text(&rederived.stderr));
    assert_eq!(text(&queues(dir.path()).stdout), text(&current.stdout));

    let no_archive = run(&["--db", "nothing.db", "calls"], b"", dir.path());
    assert_eq!(no_archive.status.code(), Some(2));
}

#[test]
fn the_archive_remembers_the_settings_its_calls_were_derived_with() {
    let dir = tempfile::tempdir().unwrap();
    let demo = |config: &str, seed: &str| {
        let mut args = vec!["--no-progress", "--db", "demo.db"];
        if !config.is_empty() {
            args.extend(["--config", config]);
        }
        args.extend(["demo", "--calls", "150", "--days", "1", "--seed", seed]);
        run(&args, b"", dir.path())
    };
    let first = demo("", "3");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(!text(&first.stderr).contains("differ"), "{}", text(&first.stderr));
    let archive = rusqlite::Connection::open(dir.path().join("demo.db")).unwrap();
    // Other settings: a run that stores calls says they differ; a rederive takes them up.
    std::fs::write(dir.path().join("other.toml"), "[reason]\nattributes = [\"LOB\"]\n").unwrap();
    let more = demo("other.toml", "9");
    assert!(more.status.success(), "{}", text(&more.stderr));
    assert!(
        text(&more.stderr).contains("differ from those the archive's calls were derived with"),
        "{}",
        text(&more.stderr)
    );
    let status = run(&["--db", "demo.db", "status", "--format", "text"], b"", dir.path());
    assert!(
        text(&status.stdout).contains("Derived with reason attributes: Final Main Intent, MainIntent1;"),
        "{}",
        text(&status.stdout)
    );
    let rederive = run(&["--config", "other.toml", "--db", "demo.db", "rederive"], b"", dir.path());
    assert!(rederive.status.success(), "{}", text(&rederive.stderr));
    let lob: i64 = archive
        .query_row("SELECT count(*) FROM calls WHERE reason = 'Residential'", [], |r| r.get(0))
        .unwrap();
    assert!(lob > 50, "{lob} calls now say why by LOB");
    let status = run(&["--db", "demo.db", "status", "--format", "text"], b"", dir.path());
    assert!(
        text(&status.stdout).contains("Derived with reason attributes: LOB; IVR checkpoints: none"),
        "{}",
        text(&status.stdout)
    );
    let again = run(&["--db", "demo.db", "rederive"], b"", dir.path());
    assert!(
        again.status.success() && text(&again.stderr).contains("reason attributes: LOB;"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn sync_without_credentials_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
        .env_remove("GENESYSCLOUD_ACCESS_TOKEN")
        .args(["sync", "--from", "2024-05-01", "--api-base", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: no credentials"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("GENESYSCLOUD_OAUTHCLIENT_ID"), "{}", text(&out.stderr));
    // Half of a pair: the missing half is named.
    let out = bin()
        .current_dir(dir.path())
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", "an-id")
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
        .env_remove("GENESYSCLOUD_ACCESS_TOKEN")
        .args(["sync", "--from", "2024-05-01", "--api-base", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: GENESYSCLOUD_OAUTHCLIENT_SECRET is not set"),
        "{}",
        text(&out.stderr)
    );
    // With a token: a plain-HTTP address off loopback, and a range that has not begun.
    for (from, api, says) in [
        ("2024-05-01", "http://example.com", "loopback"),
        ("2099-01-01", "http://127.0.0.1:9", "is in the future"),
    ] {
        let out = bin()
            .current_dir(dir.path())
            .args(["sync", "--from", from, "--api-base", api])
            .env("GENESYSCLOUD_ACCESS_TOKEN", "t")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    assert!(!dir.path().join("calltrail.db").exists(), "a sync that cannot start leaves no archive behind");
}

#[test]
fn a_role_without_some_permissions_syncs_and_the_status_says_what_it_went_without() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = common::KillOnDrop(
        bin()
            .args(["-q", "sim", "--listen", "127.0.0.1:0", "--calls", "150", "--days", "2"])
            .args(["--rate-limit", "1000000", "--deny", "architect:flow:view"])
            .args(["--deny", "conversation:communication:view"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let api = common::first_line(&mut sim.0);
    // A reason attribute needs participant data: the Conversations API is asked, and refuses.
    std::fs::write(dir.path().join("site.toml"), "[reason]\nattributes = [\"MainIntent1\"]\n").unwrap();
    let sync = bin()
        .current_dir(dir.path())
        .args(["--no-progress", "--config", "site.toml", "--db", "site.db", "sync", "--from", "today-3d"])
        .args(["--mode", "query", "--rate-limit", "1000000", "--api-base", api.trim()])
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", "id")
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "secret")
        .output()
        .unwrap();
    drop(sim);
    let err = text(&sync.stderr);
    assert!(sync.status.success(), "{err}");
    assert!(err.contains("no flow names") && err.contains("[architect:flow:view]"), "{err}");
    assert!(
        err.contains("no participant data") && err.contains("[conversation:communication:view]"),
        "{err}"
    );
    // Whoever reads the status later sees it too, not only whoever watched the run.
    let status = run(&["--db", "site.db", "status", "--format", "text"], b"", dir.path());
    assert!(status.status.success(), "{}", text(&status.stderr));
    let status = text(&status.stdout);
    assert!(status.contains("went on without:\n  no flow names"), "{status}");
    let json = run(&["--db", "site.db", "status", "--format", "json"], b"", dir.path());
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["syncs"][0]["warnings"].as_array().map(Vec::len), Some(2), "{json}");
}

#[test]
fn resume_without_an_interrupted_sync_is_a_usage_error_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9: a request would fail with exit 1, not 2. Each run's exit code
    // and what it said.
    let sync = |db: &str, how: &str| {
        let out = bin()
            .current_dir(dir.path())
            .args(["--db", db, "sync", how, "--api-base", "http://127.0.0.1:9"])
            .env("GENESYSCLOUD_ACCESS_TOKEN", "t")
            .output()
            .unwrap();
        (out.status.code(), text(&out.stderr))
    };
    let (code, stderr) = sync("fresh.db", "--resume");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no interrupted sync to resume") && stderr.contains("hint:"), "{stderr}");
    assert!(!dir.path().join("fresh.db").exists(), "a sync that cannot start leaves no archive behind");
    let (code, stderr) = sync("fresh.db", "--incremental");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no earlier sync to continue from"), "{stderr}");
    assert!(!dir.path().join("fresh.db").exists());

    // With an archive that has no interrupted sync, the same answer comes from the archive.
    drop(calltrail_store::Store::open(&dir.path().join("kept.db")).unwrap());
    let (code, stderr) = sync("kept.db", "--resume");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no interrupted sync to resume"), "{stderr}");
}

#[test]
fn serve_refuses_other_addresses_without_a_token_and_needs_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = run(&["--db", db.to_str().unwrap(), "serve"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2), "no archive yet");
    assert!(text(&out.stderr).contains("calltrail demo"), "{}", text(&out.stderr));
    calltrail_store::Store::open(&db).unwrap();
    let out = run(&["--db", db.to_str().unwrap(), "serve", "--listen", "0.0.0.0:0"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("without a token") && err.contains("--token"), "{err}");
    let out = run(&["--db", db.to_str().unwrap(), "serve", "--listen", "nonsense"], b"", dir.path());
    assert_eq!(out.status.code(), Some(2));
}
