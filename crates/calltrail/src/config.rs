//! `calltrail.toml`: the settings file. Read from `--config PATH` (or `CALLTRAIL_CONFIG`), else
//! `./calltrail.toml` when it exists; unknown keys are errors, so typos do not pass silently.
//!
//! Besides the explain settings (`[reason]`, `[ivr]`) it holds what a site sets once: the
//! archive (`db`), the contact centre's time zone (`tz`), the organisation (`[genesys]`) and the
//! sync's defaults (`[sync]`). Each key is named after the flag it stands in for; the
//! environment and flags override it (defaults < file < environment < flags). Secrets are never
//! read from it: they stay in the environment, where Genesys' own tools keep them.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use calltrail_explain::{IvrSettings, ReasonSettings, Settings};
use calltrail_sync::AttributesMode;
use clap::ValueEnum;
use serde::{Deserialize, Deserializer};

use crate::cli::SyncMode;
use crate::UsageError;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The archive, as `--db`; a relative path is taken from the file's folder.
    pub db: Option<PathBuf>,
    /// The contact centre's time zone, as `--tz` (IANA name).
    pub tz: Option<String>,
    /// `[reason]`: attributes that carry the reason for the call.
    pub reason: ReasonSettings,
    /// `[ivr]`: checkpoint attributes for IVR paths.
    pub ivr: IvrSettings,
    /// `[genesys]`: the organisation to sync from.
    pub genesys: GenesysConfig,
    /// `[sync]`: defaults of `calltrail sync`.
    pub sync: SyncConfig,
}

/// `[genesys]`: where the organisation lives and which OAuth client to use.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenesysConfig {
    /// A region (`eu-west-1`) or domain (`mypurecloud.ie`), as `GENESYSCLOUD_REGION`.
    pub region: Option<String>,
    /// A full API base URL, as `--api-base`.
    pub api_base: Option<String>,
    /// The OAuth client id, as `GENESYSCLOUD_OAUTHCLIENT_ID`.
    pub client_id: Option<String>,
    /// Refused: the secret belongs in the environment, not in a file that gets copied around.
    #[serde(deserialize_with = "refuse_secret")]
    #[allow(dead_code)]
    client_secret: Option<()>,
}

/// `[sync]`: what `calltrail sync` does when its flags are not given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// As `--mode`.
    #[serde(deserialize_with = "value_enum")]
    pub mode: Option<SyncMode>,
    /// As `--attributes`.
    #[serde(deserialize_with = "value_enum")]
    pub attributes: Option<AttributesMode>,
    /// As `--lookback` (`48h`).
    pub lookback: Option<String>,
    /// As `--rate-limit`: requests per minute.
    pub rate_limit: Option<u32>,
    /// As `--jobs`: details jobs submitted at a time.
    pub jobs: Option<u16>,
}

/// A flag's value (`auto`, `query`, ...), spelled as on the command line.
fn value_enum<'de, D: Deserializer<'de>, T: ValueEnum>(d: D) -> Result<Option<T>, D::Error> {
    let text = String::deserialize(d)?;
    T::from_str(&text, true).map(Some).map_err(|_| {
        let known: Vec<String> = T::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|v| v.get_name().to_owned())
            .collect();
        serde::de::Error::custom(format!("`{text}` is not one of {}", known.join(", ")))
    })
}

fn refuse_secret<'de, D: Deserializer<'de>>(_: D) -> Result<Option<()>, D::Error> {
    Err(serde::de::Error::custom(
        "the client secret is not read from the configuration file; set GENESYSCLOUD_OAUTHCLIENT_SECRET in the environment",
    ))
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
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            // The message and the line, never the line's text: it may hold what must not be shown.
            let line = e
                .span()
                .map(|span| text.as_bytes().iter().take(span.start).filter(|&&b| b == b'\n').count() + 1);
            let at = line.map(|n| format!(" at line {n}")).unwrap_or_default();
            UsageError(format!(
                "configuration file `{}` is not valid{at}: {}",
                path.display(),
                e.message().trim()
            ))
        })?;
        // A relative archive path is read from where the file is, as paths in files usually are.
        if let (Some(db), Some(dir)) = (&config.db, path.parent()) {
            if db.is_relative() && !dir.as_os_str().is_empty() {
                config.db = Some(dir.join(db));
            }
        }
        Ok(config)
    }

    /// The archive: `--db` (or `CALLTRAIL_DB`), else `db` here, else `./calltrail.db`.
    pub fn db_path(&self, flag: Option<&Path>) -> PathBuf {
        flag.or(self.db.as_deref()).unwrap_or(Path::new("calltrail.db")).to_path_buf()
    }

    /// The time zone's name: `--tz` (or `CALLTRAIL_TZ`), else `tz` here, else UTC.
    pub fn tz<'a>(&'a self, flag: Option<&'a str>) -> &'a str {
        flag.or(self.tz.as_deref()).unwrap_or("UTC")
    }

    /// The settings that explanations use.
    pub fn settings(&self) -> Settings {
        Settings { reason: self.reason.clone(), ivr: self.ivr.clone() }
    }
}
