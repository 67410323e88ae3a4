//! The direct reader against `serde_json`: on every document it accepts, it must read exactly what
//! `serde_json` reads; on the documents of the schema and the examples it must not give up.

use std::fmt::Write as _;
use std::path::PathBuf;

use calltrail_model::reader::{read, Bail, Read};
use calltrail_model::{ApiConversation, Conversation, ConversationPage};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/genesys").join(name))
        .unwrap()
}

/// Reads `bytes` as `T` both ways; when the reader answers, its answer must be `serde_json`'s.
/// True when the reader answered.
fn agrees<'a, T>(bytes: &'a [u8]) -> bool
where
    T: Read<'a> + serde::Deserialize<'a> + PartialEq + std::fmt::Debug,
{
    match read::<T>(bytes) {
        Ok(direct) => {
            let serde: Result<T, _> = serde_json::from_slice(bytes);
            assert_eq!(Some(&direct), serde.as_ref().ok(), "{}", String::from_utf8_lossy(bytes));
            true
        }
        Err(Bail) => false,
    }
}

/// Every document shape, read both ways.
fn agrees_as_any(bytes: &[u8]) -> bool {
    let one = agrees::<Conversation<'_>>(bytes);
    let page = agrees::<ConversationPage<'_>>(bytes);
    let api = agrees::<ApiConversation<'_>>(bytes);
    let list = agrees::<Vec<Conversation<'_>>>(bytes);
    one || page || api || list
}

/// A value for every property of a schema definition, following `$ref`s: strings with quotes,
/// backslashes, control characters and characters beyond ASCII, every number type, arrays of
/// two, attribute maps.
fn sample(schema: &Value, definition: &str, depth: usize) -> Value {
    let mut object = Map::new();
    let properties = schema["definitions"][definition]["properties"].as_object().unwrap();
    for (name, property) in properties {
        if let Some(value) = sample_of(schema, property, depth) {
            object.insert(name.clone(), value);
        }
    }
    Value::Object(object)
}

fn sample_of(schema: &Value, property: &Value, depth: usize) -> Option<Value> {
    if let Some(reference) = property["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return (depth < 6).then(|| sample(schema, name, depth + 1));
    }
    Some(match property["type"].as_str().unwrap_or("object") {
        "string" => match (&property["enum"], property["format"].as_str()) {
            (Value::Array(values), _) => values[depth % values.len()].clone(),
            (_, Some("date-time")) => json!("2024-03-05T00:53:20.123Z"),
            _ => json!(format!("Ünïcode \"quoted\" \\ back\nline\t{depth} 😀 \u{1}")),
        },
        "integer" => json!(-9_007_199_254_740_993_i64 + i64::try_from(depth).unwrap()),
        "number" => json!(4.38 + f64::from(u32::try_from(depth).unwrap())),
        "boolean" => json!(depth.is_multiple_of(2)),
        "array" => {
            let item = sample_of(schema, &property["items"], depth)?;
            json!([item.clone(), item])
        }
        _ => json!({"Reason": "billing \"late\"", "Count": "3"}),
    })
}

fn schema() -> Value {
    serde_json::from_slice(&testdata("openapi-subset.json")).unwrap()
}

/// The same text with characters beyond ASCII written as `\u` escapes (surrogate pairs included).
fn with_unicode_escapes(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(out, "\\u{unit:04X}").unwrap();
            }
        }
    }
    out
}

#[test]
fn every_field_of_the_schema_is_read_as_serde_reads_it() {
    let schema = schema();
    for (definition, read_as) in [
        ("AnalyticsConversation", 0),
        ("AnalyticsConversationWithoutAttributes", 0),
        ("AnalyticsConversationAsyncQueryResponse", 1),
        ("AnalyticsConversationQueryResponse", 1),
        ("AnalyticsConversationWithoutAttributesMultiGetResponse", 1),
    ] {
        let document = sample(&schema, definition, 0);
        let compact = serde_json::to_string(&document).unwrap();
        let pretty = serde_json::to_string_pretty(&document).unwrap();
        let escaped = with_unicode_escapes(&compact);
        for text in [&compact, &pretty, &escaped] {
            let answered = match read_as {
                0 => agrees::<Conversation<'_>>(text.as_bytes()),
                _ => agrees::<ConversationPage<'_>>(text.as_bytes()),
            };
            assert!(answered, "the reader gave up on the schema's own {definition}");
        }
    }
}

#[test]
fn every_example_is_read_directly_and_as_serde_reads_it() {
    for (name, read_as) in [
        ("blueprint-sql-chat-conversation.json", 0),
        ("viadot-details-query-response-voice-ivr.json", 1),
        ("viadot-get-conversation-participant-attributes.json", 2),
    ] {
        let bytes = testdata(name);
        let answered = match read_as {
            0 => agrees::<Conversation<'_>>(&bytes),
            1 => agrees::<ConversationPage<'_>>(&bytes),
            _ => agrees::<ApiConversation<'_>>(&bytes),
        };
        assert!(answered, "the reader gave up on {name}");
        assert!(agrees_as_any(&bytes));
    }
}

#[test]
fn what_the_reader_leaves_to_serde() {
    let gives_up = [
        r#"{"conversationId":"a","conversationId":"b"}"#, // a repeated field
        r#"{"conversationId":"a\ud800"}"#,                // a lone surrogate
        r#"{"conversationId":"a\udc00"}"#,                // a lone trailing surrogate
        "{\"conversationId\":\"a\u{1}\"}",                // a raw control character
        r#"{"conversationId":"a\x"}"#,                    // an unknown escape
        r#"{"participants":[{"sessions":[{"routingRing":1.0}]}]}"#, // a float for an integer
        r#"{"participants":[{"sessions":[{"routingRing":9223372036854775808}]}]}"#,
        r#"{"participants":[{"sessions":[{"routingRing":01}]}]}"#, // a leading zero
        r#"{"participants":[{"sessions":[{"routingRing":"1"}]}]}"#, // a string for a number
        r#"{"conversationId":"a"} x"#,                             // trailing text
        r#"{"conversationId":"a",}"#,                              // a trailing comma
        r#"{"conversationId":"a""#,                                // truncated
        r#"{"conversation\u0049d":"a"}"#,                          // an escaped key
        r#"{"other":[1,2,]}"#,                                     // bad JSON in an unknown field
        r#"{"other":tru}"#,
        r#"{"other":-}"#,
        r#"{"other":1.}"#,
        r#"{"other":1e}"#,
        "",
    ];
    for text in gives_up {
        assert_eq!(read::<Conversation<'_>>(text.as_bytes()), Err(Bail), "{text}");
        agrees_as_any(text.as_bytes());
    }
    assert_eq!(read::<Conversation<'_>>(b"{\"conversationId\":\"\xff\"}"), Err(Bail));

    let deep = format!("{{\"other\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(read::<Conversation<'_>>(deep.as_bytes()), Err(Bail));
    // serde_json passes over unknown values without a depth limit; its answer stands.
    assert!(calltrail_model::from_json::<Conversation<'_>>(deep.as_bytes()).is_ok());

    let reads = [
        r#" { "conversationId" : "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00" , "other" : {"x":[1,-0,2.5e-3,1E+2,true,false,null,"s"]} } "#,
        r#"{"participants":[{"sessions":[{"routingRing":-9223372036854775808,"mediaCount":0}]}]}"#,
        r#"{"mediaStatsMinConversationMos":4,"mediaStatsMinConversationRFactor":1e400}"#,
        r#"{"mediaStatsMinConversationMos":0.1000000000000000055511151231257827,"participants":null}"#,
        r#"{"originatingDirection":"sideways","participants":[{"purpose":"hologram","attributes":{"a":1,"b":null}}]}"#,
        "{}",
        r#"{"participants":[{"sessions":[{"mediaCount":-0}]}]}"#, // serde_json reads -0 as a float
    ];
    for text in reads {
        agrees_as_any(text.as_bytes());
    }
    assert!(agrees::<Conversation<'_>>(reads[0].as_bytes()));
    assert!(agrees::<Conversation<'_>>(reads[1].as_bytes()));
    assert!(agrees::<Conversation<'_>>(reads[4].as_bytes()));
    assert!(!agrees::<Conversation<'_>>(reads[6].as_bytes()));
}

/// Byte-level damage of the kind the fuzz tests apply.
#[derive(Debug, Clone)]
enum Damage {
    Cut(prop::sample::Index),
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, &'static str),
    Flip(prop::sample::Index, u8),
}

fn damage() -> impl Strategy<Value = Damage> {
    let token = prop::sample::select(vec![
        "\"",
        "\\",
        "\\u",
        "\\ud800",
        "\\u00e9",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "null",
        "1e400",
        "-0",
        "0.5",
        "\u{1}",
        "é",
        " ",
        "\"conversationId\":\"x\",",
        "\"segments\":[],",
        "9223372036854775808",
    ]);
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Damage::Cut),
        (any::<prop::sample::Index>(), 1usize..40).prop_map(|(at, n)| Damage::Delete(at, n)),
        (any::<prop::sample::Index>(), token).prop_map(|(at, t)| Damage::Insert(at, t)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, b)| Damage::Flip(at, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    let len = bytes.len().max(1);
    match damage {
        Damage::Cut(at) => bytes.truncate(at.index(len)),
        Damage::Delete(at, n) => {
            let start = at.index(len).min(bytes.len());
            let end = (start + n).min(bytes.len());
            bytes.drain(start..end);
        }
        Damage::Insert(at, token) => {
            let at = at.index(len).min(bytes.len());
            bytes.splice(at..at, token.bytes());
        }
        Damage::Flip(at, byte) => {
            if let Some(b) = bytes.get_mut(at.index(len)) {
                *b = *byte;
            }
        }
    }
}

fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        vec![
            testdata("blueprint-sql-chat-conversation.json"),
            testdata("viadot-details-query-response-voice-ivr.json"),
            testdata("viadot-get-conversation-participant-attributes.json"),
            serde_json::to_vec(&sample(&schema(), "AnalyticsConversation", 0)).unwrap(),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn damaged_documents_are_read_as_serde_reads_them_or_left_to_it(
        seed in any::<prop::sample::Index>(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let seeds = seeds();
        let mut bytes = seeds[seed.index(seeds.len())].clone();
        for d in &damages {
            apply(&mut bytes, d);
        }
        agrees_as_any(&bytes);
    }

    #[test]
    fn any_string_is_read_as_serde_reads_it(text in "\\PC*", escape_unicode in any::<bool>()) {
        let mut json = serde_json::to_string(&json!({"conversationId": text, "externalTag": text})).unwrap();
        if escape_unicode {
            json = with_unicode_escapes(&json);
        }
        prop_assert!(agrees::<Conversation<'_>>(json.as_bytes()));
    }

    #[test]
    fn any_number_is_read_as_serde_reads_it(i in any::<i64>(), f in any::<f64>(), text in "-?(0|[1-9][0-9]{0,22})(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?") {
        let json = format!(r#"{{"participants":[{{"sessions":[{{"routingRing":{i},"mediaEndpointStats":[{{"minMos":{f:e},"minRFactor":{text}}}]}}]}}]}}"#);
        agrees::<Conversation<'_>>(json.as_bytes());
        let json = format!(r#"{{"participants":[{{"sessions":[{{"routingRing":{text}}}]}}]}}"#);
        agrees::<Conversation<'_>>(json.as_bytes());
    }
}
