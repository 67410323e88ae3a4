//! `calltrail completions`: the shell's tab-completion script, generated from the same command
//! definitions as `--help`, so it never falls behind the commands.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::Status;

/// Writes the completion script for `args.shell` to stdout.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<Status> {
    // Written whole to a buffer first: the generator panics on a write error, and a closed
    // pipe (`calltrail completions bash | head`) must stay an ordinary, quiet ending.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "calltrail", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script)?;
    stdout.flush()?;
    Ok(Status::Success)
}
