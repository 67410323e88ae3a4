//! A simulator on a loopback port for one test, shut down when dropped.
#![allow(dead_code)]

use std::sync::Arc;

use calltrail_sim::{Clock, Sim, SimConfig};
use serde_json::Value;

/// 2025-11-25T10:00:00Z: the simulator's "now" in tests (a manual clock).
pub const NOW: i64 = 1_764_064_800_000;

pub struct TestSim {
    pub sim: Arc<Sim>,
    pub base: String,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestSim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(config: SimConfig) -> TestSim {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::new(config, Clock::manual(NOW));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(calltrail_sim::serve(listener, sim.clone(), async move {
        let _ = stopped.await;
    }));
    TestSim { sim, base, http: reqwest::Client::builder().no_proxy().build().unwrap(), stop: Some(stop) }
}

impl TestSim {
    pub async fn token(&self) -> String {
        let r = self
            .http
            .post(format!("{}/oauth/token", self.base))
            .basic_auth("client-id", Some("client-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        (status, headers, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }

    pub async fn post(
        &self,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        (status, headers, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }
}
