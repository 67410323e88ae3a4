//! `calltrail`: the binary. Thin glue over the library crates: parse the command line, load the
//! configuration, run one command, report its result once, and exit 0 (success), 1 (the job
//! failed, e.g. some input was rejected) or 2 (usage or configuration error). A closed stdout
//! (`calltrail explain | head`) is not an error.

mod cli;
mod commands;
mod config;
mod input;
mod printer;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::printer::Printer;

/// mimalloc rather than the system allocator: reading a record and deriving its call record
/// make some fifty small allocations, and every command reads records (the workspace's
/// `Cargo.toml` says why its v2 line).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything worked.
    Success,
    /// The command ran, but some of its input was rejected or its job is incomplete.
    Failure,
}

/// An error that is the user's to fix: bad flags, a bad config file. Exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with exit 0, usage errors with exit 2.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    let printer = Printer::new(&cli.global);
    printer.show_events();
    match run(&cli, &printer) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Failure) => ExitCode::from(1),
        Err(err) if printer::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            printer.error(&printer::error_text(&err));
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: &Cli, printer: &Printer) -> anyhow::Result<Status> {
    let config = match &cli.command {
        // A completion script depends on nothing but the commands: not on a config file.
        Command::Completions(_) => config::Config::default(),
        _ => config::Config::load(cli.global.config.as_deref())?,
    };
    match &cli.command {
        Command::Explain(args) => commands::explain::run(args, &cli.global, &config, printer),
        Command::Fields(args) => commands::fields::run(args, printer),
        Command::Sim(args) => commands::sim::run(args, printer),
        Command::Demo(args) => commands::demo::run(args, &cli.global, &config, printer),
        Command::Sync(args) => commands::sync::run(args, &cli.global, &config, printer),
        Command::Calls(args) => commands::calls::run(args, &cli.global, &config, printer),
        Command::Report(args) => commands::report::run(args, &cli.global, &config, printer),
        Command::Export(args) => commands::export::run(args, &cli.global, &config, printer),
        Command::Serve(args) => commands::serve::run(args, &cli.global, &config, printer),
        Command::Status(args) => commands::status::run(args, &cli.global, &config),
        Command::Rederive => commands::sync::rederive(&cli.global, &config, printer),
        Command::Completions(args) => commands::completions::run(args),
    }
}
