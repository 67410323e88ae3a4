//! All output goes through here: data to stdout, messages to stderr, coloured only when stderr
//! is a terminal and neither `--color never` nor `NO_COLOR` says otherwise. Quiet and verbose
//! modes decide which messages appear.
#![allow(clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};

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
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// A note for `--verbose`.
    pub fn info(&self, text: &str) {
        if self.verbose > 0 {
            self.message("info:", "1;34", text);
        }
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

/// True when `err` is (caused by) a closed stdout.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}
