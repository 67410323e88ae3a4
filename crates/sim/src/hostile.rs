//! The `hostile` profile's records: caller- and agent-influenced text made adversarial (script
//! tags, CSV formulas, control characters, very long values, enormous attribute maps), on a
//! share of the conversations. The answers the ground truth states do not change: hostile text
//! goes where the truth does not look (names, notes, extra attributes).

use calltrail_model::{Purpose, SegmentType, Text};

use crate::generate::Planned;
use crate::rng::Rng;

const NASTY: &[&str] = &[
    "<script>alert('calltrail')</script>",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "line1\r\nline2\u{0}\u{7}\u{1b}[31m",
    "\"'; DROP TABLE calls; --",
    "../../../../etc/passwd",
    "\u{202e}evil\u{202d}",
];

/// Makes about one conversation in ten hostile.
pub fn apply(mut calls: Vec<Planned>, seed: u64) -> Vec<Planned> {
    let mut rng = Rng::derive(seed, 0x4057);
    for planned in &mut calls {
        if !rng.chance(0.1) {
            continue;
        }
        let nasty = |rng: &mut Rng| Text::from((*rng.pick(NASTY)).to_owned());
        let big = rng.chance(0.2);
        let records =
            std::iter::once(&mut planned.record).chain(planned.before_change.as_mut().map(|(_, r)| r));
        for record in records {
            for p in record.participants.iter_mut().flatten() {
                if p.purpose == Some(Purpose::Customer) {
                    p.participant_name = Some(nasty(&mut rng));
                    let attributes = p.attributes.get_or_insert_with(Default::default);
                    attributes.0.push((Text::from("Comment".to_owned()), nasty(&mut rng)));
                    attributes.0.push((Text::from("<b>key</b>".to_owned()), nasty(&mut rng)));
                    if big {
                        for i in 0..2000 {
                            attributes.0.push((Text::from(format!("Extra{i}")), Text::from("x".repeat(64))));
                        }
                        attributes.0.push((Text::from("Long".to_owned()), Text::from("A".repeat(1024))));
                    }
                }
                for s in p.sessions.iter_mut().flatten() {
                    for g in s.segments.iter_mut().flatten() {
                        if g.segment_type == Some(SegmentType::Wrapup) && g.wrap_up_code.is_some() {
                            g.wrap_up_note = Some(nasty(&mut rng));
                        }
                    }
                }
            }
        }
    }
    calls
}
