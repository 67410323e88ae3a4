//! `calltrail.toml`: the settings file. Read from `--config PATH` (or `CALLTRAIL_CONFIG`), else
//! `./calltrail.toml` when it exists; unknown keys are errors, so typos do not pass silently.

use std::path::Path;

use anyhow::Context as _;
use calltrail_explain::{IvrSettings, ReasonSettings, Settings};
use serde::Deserialize;

use crate::UsageError;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[reason]`: attributes that carry the reason for the call.
    pub reason: ReasonSettings,
    /// `[ivr]`: checkpoint attributes for IVR paths.
    pub ivr: IvrSettings,
}

impl Config {
    /// Loads the file named, or `./calltrail.toml` if present, or the defaults.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let (path, required) = match path {
            Some(p) => (p, true),
            None => (Path::new("calltrail.toml"), false),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(anyhow::Error::new(e))
                    .with_context(|| format!("cannot read the configuration file `{}`", path.display()))
                    .map_err(|e| UsageError(format!("{e:#}")).into())
            }
        };
        toml::from_str(&text).map_err(|e| {
            UsageError(format!("configuration file `{}` is not valid: {e}", path.display())).into()
        })
    }

    /// The settings that explanations use.
    pub fn settings(&self) -> Settings {
        Settings { reason: self.reason.clone(), ivr: self.ivr.clone() }
    }
}
