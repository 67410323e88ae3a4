//! Where Genesys Cloud is: regions (`us-east-1`, `eu_west_1`), domains (`mypurecloud.ie`) or a
//! full API base URL, resolved the way Genesys' own SDKs and tools do; and the credentials,
//! which never show in logs or errors.

use std::fmt;

/// Region name → API host, as in the official SDKs.
const REGIONS: &[(&str, &str)] = &[
    ("us_east_1", "api.mypurecloud.com"),
    ("eu_west_1", "api.mypurecloud.ie"),
    ("ap_southeast_2", "api.mypurecloud.com.au"),
    ("ap_northeast_1", "api.mypurecloud.jp"),
    ("eu_central_1", "api.mypurecloud.de"),
    ("us_west_2", "api.usw2.pure.cloud"),
    ("ca_central_1", "api.cac1.pure.cloud"),
    ("ap_northeast_2", "api.apne2.pure.cloud"),
    ("eu_west_2", "api.euw2.pure.cloud"),
    ("ap_south_1", "api.aps1.pure.cloud"),
    ("us_east_2", "api.use2.us-gov-pure.cloud"),
    ("sa_east_1", "api.sae1.pure.cloud"),
    ("me_central_1", "api.mec1.pure.cloud"),
    ("ap_northeast_3", "api.apne3.pure.cloud"),
    ("eu_central_2", "api.euc2.pure.cloud"),
    ("mx_central_1", "api.mxc1.pure.cloud"),
    ("ap_southeast_1", "api.apse1.pure.cloud"),
];

/// The API and login base URLs of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// e.g. `https://api.mypurecloud.ie`.
    pub api: String,
    /// e.g. `https://login.mypurecloud.ie`.
    pub login: String,
}

impl Endpoints {
    /// True when both the API and the login service are on this machine (a simulator).
    pub fn on_loopback(&self) -> bool {
        url_on_loopback(&self.api) && url_on_loopback(&self.login)
    }
}

/// Resolves a region (`us-east-1`, `us_east_1`), a domain (`mypurecloud.ie`) or a full base URL
/// (`https://api.usw2.pure.cloud`; plain `http://` only for loopback addresses).
pub fn resolve(region: &str) -> Result<Endpoints, String> {
    let region = region.trim().trim_end_matches('/');
    if region.starts_with("http://") || region.starts_with("https://") {
        return from_url(region);
    }
    let key = region.to_ascii_lowercase().replace('-', "_");
    if let Some((_, host)) = REGIONS.iter().find(|(name, _)| *name == key) {
        return from_url(&format!("https://{host}"));
    }
    if region.contains('.') && !region.contains('/') {
        let host = region.strip_prefix("api.").unwrap_or(region);
        return from_url(&format!("https://api.{host}"));
    }
    let known: Vec<String> = REGIONS.iter().map(|(r, _)| r.replace('_', "-")).collect();
    Err(format!(
        "unknown region `{region}`; use one of {}, a domain such as `mypurecloud.ie`, or a full URL",
        known.join(", ")
    ))
}

fn from_url(url: &str) -> Result<Endpoints, String> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| format!("`{url}` is not a URL"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if scheme == "http" && !url_on_loopback(url) {
        let hostname = reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned));
        let hostname = hostname.unwrap_or_else(|| host.to_owned());
        return Err(format!("plain http is allowed only for loopback addresses, not `{hostname}`"));
    }
    if scheme != "http" && scheme != "https" {
        return Err(format!("`{url}` is neither http nor https"));
    }
    let api = format!("{scheme}://{host}");
    let login = match host.strip_prefix("api.") {
        Some(rest) => format!("{scheme}://login.{rest}"),
        None => api.clone(),
    };
    Ok(Endpoints { api, login })
}

/// True when `url`'s host is `localhost` or a loopback address (`127.0.0.0/8`, `[::1]`).
fn url_on_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)) else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A secret (client secret, access token): shown as `***` everywhere.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// OAuth client credentials.
    Client {
        /// Client id (not secret).
        id: String,
        /// Client secret.
        secret: Secret,
    },
    /// A ready access token.
    Token(Secret),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_domains_and_urls() {
        assert_eq!(resolve("eu-west-1").unwrap().api, "https://api.mypurecloud.ie");
        assert_eq!(resolve("eu-west-1").unwrap().login, "https://login.mypurecloud.ie");
        assert_eq!(resolve("US_WEST_2").unwrap().api, "https://api.usw2.pure.cloud");
        assert_eq!(resolve("mypurecloud.com.au").unwrap().api, "https://api.mypurecloud.com.au");
        assert_eq!(resolve("https://api.mypurecloud.de/").unwrap().login, "https://login.mypurecloud.de");
        let sim = resolve("http://127.0.0.1:8787").unwrap();
        assert_eq!(
            (sim.api.as_str(), sim.login.as_str()),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787")
        );
        assert!(resolve("http://example.com").unwrap_err().contains("loopback"));
        assert!(resolve("http://127.0.0.1.example.com:80").unwrap_err().contains("loopback"));
        for local in ["http://[::1]", "http://[::1]:8787", "http://localhost:8787", "http://127.1.2.3"] {
            let endpoints = resolve(local).unwrap();
            assert!(endpoints.on_loopback(), "{local}");
        }
        assert!(!resolve("eu-west-1").unwrap().on_loopback());
        assert!(resolve("mars-north-1").unwrap_err().contains("unknown region"));
    }

    #[test]
    fn secrets_never_print() {
        let c = Credentials::Client { id: "id".into(), secret: Secret::new("hunter2") };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(Secret::new("x").to_string(), "***");
    }
}
