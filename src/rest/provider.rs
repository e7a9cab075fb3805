//! The provider side: the lease status a provider reports (`GET /lease/{dseq}/{gseq}/{oseq}/status`)
//! and the request envelope of the Akash Console provider proxy, which relays a request to a
//! provider after checking the provider's certificate against the chain (outcalls only accept
//! publicly trusted certificates, which most providers do not have).

use super::{parse_body, RestError, J, MAX_REST_RESPONSE_BYTES};
use serde_json::{json, Value};

/// A provider's report on one lease: its services (by name) and forwarded ports.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LeaseStatus {
    /// Sorted by name.
    pub services: Vec<ServiceStatus>,
    /// Sorted by service, then port.
    pub forwarded_ports: Vec<ForwardedPort>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceStatus {
    pub name: String,
    /// Replicas available / wanted, as the provider counts them.
    pub available: u32,
    pub total: u32,
    pub ready_replicas: u32,
    /// Hostnames the service answers on (HTTP exposes).
    pub uris: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardedPort {
    pub service: String,
    pub host: String,
    /// The container port.
    pub port: u32,
    /// The port to connect to on `host`.
    pub external_port: u32,
    pub proto: String,
    pub name: String,
}

impl LeaseStatus {
    /// Every service has all its replicas ready (and there is at least one service).
    pub fn all_ready(&self) -> bool {
        !self.services.is_empty() && self.services.iter().all(|s| s.total > 0 && s.ready_replicas >= s.total)
    }
}

/// Parses a lease status body (size checked first).
pub fn parse_lease_status(body: &[u8]) -> Result<LeaseStatus, RestError> {
    if body.len() > MAX_REST_RESPONSE_BYTES {
        return Err(RestError::TooLarge { len: body.len(), max: MAX_REST_RESPONSE_BYTES });
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| RestError::NotJson(e.to_string()))?;
    let root = J::root(&v);
    root.object()?;
    let mut services = Vec::new();
    let s = root.at("services");
    if s.present() {
        for (key, _) in s.object()? {
            let j = s.at(key);
            j.object()?;
            let mut uris = Vec::new();
            for u in j.at("uris").array()? {
                uris.push(u.str()?);
            }
            let name = j.at("name").str()?;
            services.push(ServiceStatus {
                name: if name.is_empty() { key.clone() } else { name },
                available: j.at("available").u32()?,
                total: j.at("total").u32()?,
                ready_replicas: j.at("ready_replicas").u32()?,
                uris,
            });
        }
    }
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let mut forwarded_ports = Vec::new();
    let f = root.at("forwarded_ports");
    if f.present() {
        for (service, _) in f.object()? {
            for p in f.at(service).array()? {
                p.object()?;
                forwarded_ports.push(ForwardedPort {
                    service: service.clone(),
                    host: p.at("host").str()?,
                    port: p.at("port").u32()?,
                    external_port: p.at("externalPort").u32()?,
                    proto: p.at("proto").str()?,
                    name: p.at("name").str()?,
                });
            }
        }
    }
    forwarded_ports.sort_by(|a, b| (&a.service, a.port, a.external_port).cmp(&(&b.service, b.port, b.external_port)));
    Ok(LeaseStatus { services, forwarded_ports })
}

/// A provider as registered on chain (`GET /akash/provider/v1beta4/providers/{owner}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderInfo {
    pub owner: String,
    /// Where its API is, e.g. `https://provider.example.com:8443`.
    pub host_uri: String,
    pub attributes: Vec<(String, String)>,
}

/// Parses a provider query response. `Ok(None)` when the chain does not know the provider.
pub fn parse_provider(body: &[u8]) -> Result<Option<ProviderInfo>, RestError> {
    let v = match parse_body(body) {
        Err(RestError::Chain(e)) if e.is_not_found() => return Ok(None),
        other => other?,
    };
    let p = J::root(&v).at("provider");
    p.object()?;
    let mut attributes = Vec::new();
    for a in p.at("attributes").array()? {
        a.object()?;
        attributes.push((a.at("key").str()?, a.at("value").str()?));
    }
    let host_uri = p.at("host_uri").str()?;
    if !host_uri.starts_with("https://") {
        return Err(RestError::WrongType { path: p.at("host_uri").path, expected: "an https:// URI" });
    }
    Ok(Some(ProviderInfo { owner: p.at("owner").str()?, host_uri: host_uri.trim_end_matches('/').to_string(), attributes }))
}

/// Path of the manifest upload (`PUT`).
pub fn manifest_path(dseq: u64) -> String {
    format!("/deployment/{dseq}/manifest")
}

/// Path of a lease's status (`GET`).
pub fn lease_status_path(dseq: u64, gseq: u32, oseq: u32) -> String {
    format!("/lease/{dseq}/{gseq}/{oseq}/status")
}

/// The provider proxy's request (`POST {proxy}/`): relay `method url` (the provider's host URI and
/// path) to `provider_address` with the JWT, waiting at most `timeout_ms` per attempt.
pub fn proxy_request_body(method: &str, url: &str, provider_address: &str, body: Option<&str>, timeout_ms: u64, token: &str) -> Vec<u8> {
    let mut v = json!({
        "method": method,
        "url": url,
        "providerAddress": provider_address,
        "timeout": timeout_ms,
        "auth": {"type": "jwt", "token": token},
    });
    if let Some(b) = body {
        v["body"] = Value::String(b.to_string());
    }
    serde_json::to_vec(&v).expect("BUG: a JSON value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = r#"{"services":{"web":{"name":"web","available":1,"total":1,"uris":["abc.ingress.p1.test","www.example.com"],"observed_generation":1,"replicas":1,"updated_replicas":1,"ready_replicas":1,"available_replicas":1},"db":{"name":"db","available":0,"total":2,"uris":null,"ready_replicas":1}},"forwarded_ports":{"db":[{"host":"p1.test","port":5432,"externalPort":31234,"proto":"TCP","name":"db"}]},"ips":null}"#;

    #[test]
    fn lease_status_reads_services_and_ports() {
        let s = parse_lease_status(STATUS.as_bytes()).unwrap();
        assert_eq!(s.services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["db", "web"]);
        assert_eq!(s.services[1].uris, ["abc.ingress.p1.test", "www.example.com"]);
        assert!(s.services[0].uris.is_empty());
        assert_eq!(s.forwarded_ports[0].external_port, 31234);
        assert!(!s.all_ready(), "db has 1 of 2 ready");
        let ready = STATUS.replace(r#""uris":null,"ready_replicas":1"#, r#""uris":null,"ready_replicas":2"#);
        assert!(parse_lease_status(ready.as_bytes()).unwrap().all_ready());
        assert!(!LeaseStatus::default().all_ready(), "no services is not ready");
    }

    #[test]
    fn bad_status_bodies_name_the_field() {
        assert!(matches!(parse_lease_status(b"[]"), Err(RestError::WrongType { .. })));
        assert!(matches!(parse_lease_status(b"nope"), Err(RestError::NotJson(_))));
        let bad = STATUS.replace(r#""total":1"#, r#""total":"x""#);
        assert!(matches!(parse_lease_status(bad.as_bytes()), Err(RestError::BadNumber { path, .. }) if path == "$.services.web.total"));
        let big = vec![b' '; MAX_REST_RESPONSE_BYTES + 1];
        assert!(matches!(parse_lease_status(&big), Err(RestError::TooLarge { .. })));
    }

    #[test]
    fn provider_info_has_its_host_uri() {
        let body = br#"{"provider":{"owner":"akash1p","host_uri":"https://p1.test:8443/","attributes":[{"key":"region","value":"eu"}],"info":{"email":"","website":""}}}"#;
        let p = parse_provider(body).unwrap().unwrap();
        assert_eq!((p.host_uri.as_str(), p.attributes[0].1.as_str()), ("https://p1.test:8443", "eu"));
        let missing = br#"{"code":5,"message":"rpc error: code = NotFound desc = invalid provider: address not found","details":[]}"#;
        assert_eq!(parse_provider(missing).unwrap(), None);
        let http = br#"{"provider":{"owner":"akash1p","host_uri":"http://p1.test"}}"#;
        assert!(matches!(parse_provider(http), Err(RestError::WrongType { .. })));
    }

    #[test]
    fn proxy_envelope_carries_the_request_and_token() {
        let b = proxy_request_body("PUT", "https://p1.test:8443/deployment/7/manifest", "akash1p", Some("[]"), 30_000, "t.o.k");
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["method"], "PUT");
        assert_eq!(v["body"], "[]");
        assert_eq!(v["auth"]["token"], "t.o.k");
        assert_eq!(v["timeout"], 30_000);
        let g: Value = serde_json::from_slice(&proxy_request_body("GET", "u", "a", None, 1, "t")).unwrap();
        assert!(g.get("body").is_none());
        assert_eq!(manifest_path(7), "/deployment/7/manifest");
        assert_eq!(lease_status_path(7, 1, 2), "/lease/7/1/2/status");
    }
}
