//! All output goes through here: data to stdout, messages to stderr, coloured only when stderr
//! is a terminal and neither `--color never` nor `NO_COLOR` says otherwise. Quiet and verbose
//! modes decide which messages appear.
#![allow(clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;

use crate::cli::{ColorChoice, GlobalArgs};

/// The one way to talk to the user.
#[derive(Debug, Clone)]
pub struct Printer {
    quiet: bool,
    verbose: u8,
    color: bool,
    progress: bool,
}

impl Printer {
    /// A printer for the global flags and the environment.
    pub fn new(args: &GlobalArgs) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && io::stderr().is_terminal(),
        };
        let progress = !args.quiet && !args.no_progress && args.verbose == 0 && io::stderr().is_terminal();
        Printer { quiet: args.quiet, verbose: args.verbose, color, progress }
    }

    fn message(&self, label: &str, style: &str, text: &str) {
        let text = &terminal_safe(text);
        let mut err = io::stderr().lock();
        let _ = if self.color {
            writeln!(err, "\x1b[{style}m{label}\x1b[0m {text}")
        } else {
            writeln!(err, "{label} {text}")
        };
    }

    /// An error: always shown.
    pub fn error(&self, text: &str) {
        self.message("error:", "1;31", text);
    }

    /// A warning: hidden by `--quiet`.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            self.message("warning:", "1;33", text);
        }
    }

    /// A plain line for people (no label): hidden by `--quiet`.
    pub fn say(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{}", terminal_safe(text));
        }
    }

    /// True with `--verbose`.
    pub fn verbose(&self) -> bool {
        self.verbose > 0
    }

    /// A note for `--verbose`.
    pub fn info(&self, text: &str) {
        if self.verbose > 0 {
            self.message("info:", "1;34", text);
        }
    }

    /// Shows the libraries' events (requests, retries, sync windows) on stderr, labelled like
    /// the printer's own messages: `info:` with `-v`, `debug:` too with `-vv`. Only calltrail's
    /// own events: the HTTP and TLS crates beneath stay quiet.
    pub fn show_events(&self) {
        let level = match self.verbose {
            _ if self.quiet => return,
            0 => return,
            1 => tracing::Level::INFO,
            _ => tracing::Level::DEBUG,
        };
        let only_ours = tracing_subscriber::filter::filter_fn(|meta| meta.target().starts_with("calltrail"));
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(io::stderr)
            .event_format(Labelled { color: self.color })
            .finish()
            .with(only_ours);
        let _ = tracing::subscriber::set_global_default(subscriber);
    }

    /// True when progress bars should be drawn: stderr is a terminal, and neither `--quiet`,
    /// `--verbose` nor `--no-progress` is given.
    pub fn progress_visible(&self) -> bool {
        self.progress
    }

    /// True when stdout is a terminal (and so should get text, not machine formats).
    pub fn stdout_is_terminal() -> bool {
        io::stdout().is_terminal()
    }
}

/// Events as the printer writes its messages: a coloured label, then the text.
struct Labelled {
    color: bool,
}

impl<S, N> FormatEvent<S, N> for Labelled
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let (label, style) = match *event.metadata().level() {
            tracing::Level::ERROR => ("error:", "1;31"),
            tracing::Level::WARN => ("warning:", "1;33"),
            tracing::Level::INFO => ("info:", "1;34"),
            _ => ("debug:", "2"),
        };
        if self.color {
            write!(writer, "\x1b[{style}m{label}\x1b[0m ")?;
        } else {
            write!(writer, "{label} ")?;
        }
        let mut fields = String::new();
        ctx.field_format().format_fields(Writer::new(&mut fields), event)?;
        writeln!(writer, "{}", terminal_safe(&fields))
    }
}

/// Text for the terminal with its control characters (an escape sequence in a record, an API
/// error's message) written out as `\u{1b}` rather than sent: messages quote what calltrail
/// read, and what it read must not drive the terminal. Line ends and tabs stay.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `n` and a regular noun, in the plural unless `n` is one: `1 window`, `3 windows`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `err` and its causes as one line, each cause once (see [`calltrail_client::error::chain`]).
pub fn error_text(err: &anyhow::Error) -> String {
    let err: &(dyn std::error::Error + 'static) = err.as_ref();
    calltrail_client::error::chain(err)
}

/// True when `err` is (caused by) a closed stdout.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use super::{count, error_text, terminal_safe};

    #[test]
    fn what_calltrail_read_cannot_drive_the_terminal() {
        assert_eq!(
            terminal_safe("API error (400 x): \u{1b}[2Jhi\u{7}"),
            "API error (400 x): \\u{1b}[2Jhi\\u{7}"
        );
        assert_eq!(terminal_safe("two\n\tlines"), "two\n\tlines");
    }

    #[test]
    fn error_text_names_each_cause_once() {
        let refused = || std::io::Error::other("connection refused");
        let quoted = anyhow::Error::new(refused()).context("GET /api/v2/users failed: connection refused");
        assert_eq!(error_text(&quoted), "GET /api/v2/users failed: connection refused");
        let chained = anyhow::Error::new(refused()).context("cannot reach the API").context("sync stopped");
        assert_eq!(error_text(&chained), "sync stopped: cannot reach the API: connection refused");
    }

    #[test]
    fn counts_say_one_thing_or_many() {
        assert_eq!(count(1, "token request"), "1 token request");
        assert_eq!(
            (count(0, "window"), count(31, "request")),
            ("0 windows".to_owned(), "31 requests".to_owned())
        );
    }
}
