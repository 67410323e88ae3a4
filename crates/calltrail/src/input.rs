//! Reading detail records from a file or stdin, whatever their shape, in bounded memory.
//!
//! The first line decides: if it is a complete JSON value the input is NDJSON (one record or
//! page per line) and is read in batches of lines, so a file of any size runs in constant
//! memory. Otherwise it is one (pretty-printed) document, or several concatenated, read whole.
//! A document that fails as a whole but has complete records on its own lines is treated as
//! NDJSON after all, so one broken line does not cost the others.

use std::io::{self, BufRead, Read};

use memchr::memchr;

/// Bytes of lines gathered before a batch is handed on.
pub const BATCH_BYTES: usize = 4 << 20;
/// The longest line accepted; a longer one is reported and skipped without being held.
pub const MAX_LINE_BYTES: usize = 256 << 20;

/// A batch of NDJSON lines.
#[derive(Debug, Default)]
pub struct Batch {
    /// The lines' bytes, back to back.
    pub data: Vec<u8>,
    /// Each line: its byte range in `data` and its 1-based line number.
    pub lines: Vec<(usize, usize, u64)>,
    /// Lines too long to keep: their line numbers.
    pub oversized: Vec<u64>,
}

/// Reads NDJSON in batches.
pub struct LineBatches<R> {
    reader: R,
    line_no: u64,
    done: bool,
}

impl<R: BufRead> LineBatches<R> {
    /// Batches from `reader`, whose first line is numbered `first_line`.
    pub fn new(reader: R, first_line: u64) -> Self {
        LineBatches { reader, line_no: first_line.saturating_sub(1), done: false }
    }

    /// The next batch, or `None` at the end of the input.
    #[cfg(test)]
    pub fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        self.next_batch_into(Batch::default())
    }

    /// The next batch, reusing the buffers of a spent one.
    pub fn next_batch_into(&mut self, mut batch: Batch) -> io::Result<Option<Batch>> {
        if self.done {
            return Ok(None);
        }
        batch.data.clear();
        batch.lines.clear();
        batch.oversized.clear();
        while batch.data.len() < BATCH_BYTES {
            let start = batch.data.len();
            let (complete, oversized) = self.read_line(&mut batch.data)?;
            if !complete && start == batch.data.len() && !oversized {
                self.done = true;
                break;
            }
            self.line_no += 1;
            if oversized {
                batch.data.truncate(start);
                batch.oversized.push(self.line_no);
            } else {
                let end = batch.data.len();
                let trimmed_end = start + trim_end(&batch.data[start..end]);
                if batch.data[start..trimmed_end].iter().any(|b| !b.is_ascii_whitespace()) {
                    batch.lines.push((start, trimmed_end, self.line_no));
                } else {
                    batch.data.truncate(start);
                }
            }
            if !complete {
                self.done = true;
                break;
            }
        }
        if batch.lines.is_empty() && batch.oversized.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(batch))
    }

    /// Appends one line (without its newline) to `out`. Returns (ended by a newline, too long).
    fn read_line(&mut self, out: &mut Vec<u8>) -> io::Result<(bool, bool)> {
        let start = out.len();
        let mut oversized = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok((false, oversized));
            }
            let (chunk, found) = match memchr(b'\n', available) {
                Some(at) => (&available[..at], true),
                None => (available, false),
            };
            if !oversized {
                if out.len() - start + chunk.len() > MAX_LINE_BYTES {
                    oversized = true;
                    out.truncate(start);
                } else {
                    out.extend_from_slice(chunk);
                }
            }
            let used = chunk.len() + usize::from(found);
            self.reader.consume(used);
            if found {
                return Ok((true, oversized));
            }
        }
    }
}

fn trim_end(line: &[u8]) -> usize {
    let mut end = line.len();
    while end > 0 && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// How the input is laid out.
pub enum Layout<R> {
    /// One record (or page) per line; the reader is positioned at the start.
    Lines(LineBatches<R>),
    /// One or more whole JSON documents, read into memory.
    Whole(Vec<u8>),
    /// Nothing but white space.
    Empty,
}

/// Looks at the start of the input and decides how to read it.
pub fn detect<R: BufRead>(mut reader: R) -> io::Result<Layout<io::Chain<io::Cursor<Vec<u8>>, R>>> {
    // Read the first line (bounded) without losing it.
    let mut first = Vec::new();
    let mut limited = (&mut reader).take(MAX_LINE_BYTES as u64);
    limited.read_until(b'\n', &mut first)?;
    let lead = first.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(first.len());
    let trimmed_range = lead..lead + trim_end(&first[lead..]);
    let mut rest_is_empty = false;
    if trimmed_range.is_empty() {
        // A blank first line: look further.
        let mut all = first;
        reader.read_to_end(&mut all)?;
        if all.iter().all(u8::is_ascii_whitespace) {
            return Ok(Layout::Empty);
        }
        rest_is_empty = true;
        first = all;
    }
    let starts_document = matches!(first.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['));
    let first_line_complete =
        !rest_is_empty && serde_json::from_slice::<serde::de::IgnoredAny>(&first[trimmed_range]).is_ok();
    if rest_is_empty || (starts_document && !first_line_complete) {
        let mut all = first;
        if !rest_is_empty {
            reader.read_to_end(&mut all)?;
        }
        return Ok(Layout::Whole(all));
    }
    let chained = io::Cursor::new(first).chain(reader);
    Ok(Layout::Lines(LineBatches::new(chained, 1)))
}

/// True when some line of `whole` on its own is a detail record: the sign of NDJSON whose
/// first line was broken.
pub fn looks_like_lines(whole: &[u8]) -> bool {
    whole.split(|&b| b == b'\n').skip(1).any(|line| {
        let line = &line[..trim_end(line)];
        line.first() == Some(&b'{')
            && matches!(
                calltrail_model::parse_document(line),
                Ok(calltrail_model::Document::Conversation(c)) if c.conversation_id.is_some()
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &str) -> Vec<(String, u64)> {
        let Layout::Lines(mut batches) = detect(io::Cursor::new(input.as_bytes().to_vec())).unwrap() else {
            panic!("expected lines")
        };
        let mut out = Vec::new();
        while let Some(b) = batches.next_batch().unwrap() {
            for (s, e, n) in b.lines {
                out.push((String::from_utf8_lossy(&b.data[s..e]).into_owned(), n));
            }
        }
        out
    }

    #[test]
    fn ndjson_lines_keep_their_numbers() {
        let got = lines_of("{\"a\":1}\n\n{\"b\":2}\r\n  \n{\"c\":3}");
        assert_eq!(got, vec![("{\"a\":1}".into(), 1), ("{\"b\":2}".into(), 3), ("{\"c\":3}".into(), 5)]);
    }

    #[test]
    fn pretty_documents_are_read_whole() {
        let input = "{\n  \"conversationId\": \"x\"\n}\n";
        assert!(matches!(detect(io::Cursor::new(input.as_bytes().to_vec())).unwrap(), Layout::Whole(_)));
        assert!(matches!(detect(io::Cursor::new(b"  \n\n ".to_vec())).unwrap(), Layout::Empty));
    }

    #[test]
    fn garbage_first_line_is_still_lines() {
        let got = lines_of("\u{1}\u{2}garbage\n{\"conversationId\":\"c\"}\n");
        assert_eq!(got.len(), 2);
    }
}
