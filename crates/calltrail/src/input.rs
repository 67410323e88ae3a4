//! Reading detail records from a file or stdin, whatever their shape, in bounded memory.
//!
//! The first line decides: if it is a complete JSON value the input is NDJSON (one record or
//! page per line) and is read in batches of lines, so a file of any size runs in constant
//! memory. Otherwise it is one (pretty-printed) document, or several concatenated, read whole.
//! A document that fails as a whole but has complete records on its own lines is treated as
//! NDJSON after all, so one broken line does not cost the others.
//!
//! Files saved on Windows come in other encodings than plain UTF-8: PowerShell's `>` writes
//! UTF-16 and its `-Encoding utf8` a byte-order mark. [`as_utf8`] reads them all as UTF-8.

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

/// An encoding other than plain UTF-8 that a file of JSON may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 behind a byte-order mark (PowerShell's `-Encoding utf8`, Notepad).
    Utf8Bom,
    /// UTF-16, little-endian (PowerShell's `>` and `Out-File`).
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

impl Encoding {
    /// The encoding `start` shows, and how many bytes its byte-order mark takes. UTF-16
    /// without a mark shows as zero bytes beside the first (ASCII) character.
    pub fn sniff(start: &[u8]) -> Option<(Encoding, usize)> {
        match start {
            [0xEF, 0xBB, 0xBF, ..] => Some((Encoding::Utf8Bom, 3)),
            [0xFF, 0xFE, ..] => Some((Encoding::Utf16Le, 2)),
            [0xFE, 0xFF, ..] => Some((Encoding::Utf16Be, 2)),
            [a, 0, ..] if a.is_ascii() && *a != 0 => Some((Encoding::Utf16Le, 0)),
            [0, b, ..] if b.is_ascii() && *b != 0 => Some((Encoding::Utf16Be, 0)),
            _ => None,
        }
    }

    /// How to name it to a user.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8Bom => "UTF-8 with a byte-order mark",
            Encoding::Utf16Le => "UTF-16 (little-endian)",
            Encoding::Utf16Be => "UTF-16 (big-endian)",
        }
    }
}

/// `reader` as UTF-8, and the encoding it had if not plain UTF-8: a byte-order mark is left
/// out and UTF-16 is decoded as it streams (an unpaired surrogate becomes U+FFFD).
pub fn as_utf8<'a>(
    mut reader: Box<dyn BufRead + Send + 'a>,
) -> io::Result<(Box<dyn BufRead + Send + 'a>, Option<Encoding>)> {
    if reader.fill_buf()?.len() < 3 {
        // A short first read (a pipe): gather the three bytes a mark can take.
        let mut start = Vec::with_capacity(3);
        while start.len() < 3 {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let n = buf.len().min(3 - start.len());
            start.extend_from_slice(&buf[..n]);
            reader.consume(n);
        }
        reader = Box::new(io::Cursor::new(start).chain(reader));
    }
    let Some((encoding, mark)) = Encoding::sniff(reader.fill_buf()?) else {
        return Ok((reader, None));
    };
    reader.consume(mark);
    let reader: Box<dyn BufRead + Send + 'a> = match encoding {
        Encoding::Utf8Bom => reader,
        Encoding::Utf16Le | Encoding::Utf16Be => {
            Box::new(io::BufReader::with_capacity(1 << 20, Utf16Reader::new(reader, encoding)))
        }
    };
    Ok((reader, Some(encoding)))
}

/// A whole file's bytes as UTF-8, and the encoding they had if not plain UTF-8.
pub fn bytes_as_utf8(bytes: Vec<u8>) -> (Vec<u8>, Option<Encoding>) {
    match Encoding::sniff(&bytes) {
        None => (bytes, None),
        Some((Encoding::Utf8Bom, mark)) => (bytes[mark..].to_vec(), Some(Encoding::Utf8Bom)),
        Some((encoding, mark)) => {
            let mut text = Vec::with_capacity(bytes.len() / 2);
            let mut reader = Utf16Reader::new(&bytes[mark..], encoding);
            // Reading from memory cannot fail.
            let _ = reader.read_to_end(&mut text);
            (text, Some(encoding))
        }
    }
}

/// UTF-16 bytes read as UTF-8.
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// The first byte of a code unit whose second has not come yet.
    odd_byte: Option<u8>,
    /// A high surrogate waiting for the low one in the next read.
    high_surrogate: Option<u16>,
    units: Vec<u16>,
    out: Vec<u8>,
    at: usize,
}

impl<R: BufRead> Utf16Reader<R> {
    fn new(inner: R, encoding: Encoding) -> Self {
        Utf16Reader {
            inner,
            big_endian: encoding == Encoding::Utf16Be,
            odd_byte: None,
            high_surrogate: None,
            units: Vec::new(),
            out: Vec::new(),
            at: 0,
        }
    }

    /// Decodes the next piece of input into `out`; false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.at = 0;
        self.units.clear();
        self.units.extend(self.high_surrogate.take());
        let bytes = self.inner.fill_buf()?;
        let end = bytes.is_empty();
        let pair = |a: u8, b: u8| {
            if self.big_endian {
                u16::from_be_bytes([a, b])
            } else {
                u16::from_le_bytes([a, b])
            }
        };
        let mut rest = bytes;
        if let (Some(first), Some((&second, tail))) = (self.odd_byte, rest.split_first()) {
            self.units.push(pair(first, second));
            self.odd_byte = None;
            rest = tail;
        }
        let mut chunks = rest.chunks_exact(2);
        self.units.extend(chunks.by_ref().map(|c| pair(c[0], c[1])));
        if let [last] = chunks.remainder() {
            self.odd_byte = Some(*last);
        }
        let used = bytes.len();
        self.inner.consume(used);
        if end {
            if self.odd_byte.take().is_some() {
                self.units.push(0xFFFD);
            }
        } else if self.units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            self.high_surrogate = self.units.pop();
        }
        let mut buf = [0u8; 4];
        for c in char::decode_utf16(self.units.iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        Ok(!end || !self.out.is_empty())
    }
}

impl<R: BufRead> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
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

    fn decoded(bytes: &[u8], capacity: usize) -> (String, Option<Encoding>) {
        let reader = Box::new(io::BufReader::with_capacity(capacity, bytes));
        let (mut reader, encoding) = as_utf8(reader).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        (text, encoding)
    }

    #[test]
    fn windows_encodings_read_as_utf8() {
        let text = "{\"participantName\":\"Zoë 📞 Núñez\"}\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let cases = [
            ([&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(), Some(Encoding::Utf8Bom)),
            ([&[0xFF, 0xFE][..], &le].concat(), Some(Encoding::Utf16Le)),
            ([&[0xFE, 0xFF][..], &be].concat(), Some(Encoding::Utf16Be)),
            (le.clone(), Some(Encoding::Utf16Le)),
            (be, Some(Encoding::Utf16Be)),
            (text.as_bytes().to_vec(), None),
        ];
        for (bytes, encoding) in cases {
            // Reads of 1 and 3 bytes split code units and surrogate pairs across refills.
            for capacity in [1, 3, 1 << 10] {
                assert_eq!(decoded(&bytes, capacity), (text.to_owned(), encoding), "{encoding:?} {capacity}");
            }
            assert_eq!(bytes_as_utf8(bytes.clone()), (text.as_bytes().to_vec(), encoding));
        }
        // An odd byte at the end and an unpaired surrogate are replaced, not fatal.
        let broken = [&le[..4], &0xD83Du16.to_le_bytes()[..], &[b'x'][..]].concat();
        assert_eq!(decoded(&broken, 1 << 10).0, "{\"\u{fffd}\u{fffd}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_comes_through_utf16_whole_and_any_bytes_read_alike_streamed_or_whole(
            text in "\\PC{0,40}",
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            capacity in 1usize..8,
        ) {
            for big_endian in [false, true] {
                let units = text.encode_utf16();
                let mut encoded: Vec<u8> = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
                encoded.extend(units.flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }));
                proptest::prop_assert_eq!(&decoded(&encoded, capacity).0, &text);
            }
            let reader = Box::new(io::BufReader::with_capacity(capacity, &bytes[..]));
            let (mut reader, _) = as_utf8(reader).unwrap();
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            // Streamed in pieces or decoded whole, the same text.
            proptest::prop_assert_eq!(bytes_as_utf8(bytes.clone()).0, out);
        }
    }

    #[test]
    fn garbage_first_line_is_still_lines() {
        let got = lines_of("\u{1}\u{2}garbage\n{\"conversationId\":\"c\"}\n");
        assert_eq!(got.len(), 2);
    }
}
