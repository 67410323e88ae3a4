//! Proxies. Requests to Genesys Cloud go through the proxy the environment names
//! (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, read as curl reads them); requests to a simulator on
//! this machine never do, so a proxy set for the office network cannot break `calltrail demo`.
//! This module says which proxy a URL takes, so that an error can name it.

use hyper_util::client::proxy::matcher::Matcher;

/// The proxy the environment sets for `url`, as `host:port` (never its credentials); `None`
/// when the request goes direct.
pub fn proxy_for(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let intercept = Matcher::from_system().intercept(&uri)?;
    let proxy = intercept.uri();
    let host = proxy.host()?;
    Some(match proxy.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// The words an error adds about the route to `url`: ` through the proxy at host:port`, or nothing.
pub fn route_words(url: &str) -> String {
    proxy_for(url).map(|proxy| format!(" through the proxy at {proxy}")).unwrap_or_default()
}
