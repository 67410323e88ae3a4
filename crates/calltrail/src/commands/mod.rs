//! One module per command; each exposes `run(args, …) -> anyhow::Result<Status>`.

pub mod calls;
pub mod completions;
pub mod demo;
pub mod explain;
pub mod export;
pub mod fields;
pub mod report;
pub mod serve;
pub mod sim;
pub mod status;
pub mod sync;
