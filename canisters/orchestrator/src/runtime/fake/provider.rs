//! Simulated Akash providers and the Akash Console provider proxy, served as HTTPS peers.
//!
//! * Each [`ProviderSpec`] is a provider at its host URI (`https://provider-1.test:8443`) with the
//!   provider API (`api.rs`): `PUT /deployment/{dseq}/manifest`, `GET /lease/{dseq}/{gseq}/{oseq}/status`,
//!   and the unauthenticated `GET /status`, `/version`, `/address`. Tenants authenticate with an
//!   ES256K JWT (`Authorization: Bearer`), verified with the issuer's key from the chain, seen
//!   through [`LeaseView`] (implemented by the chain simulator). Status codes and bodies are the
//!   real provider's (akash-network/provider `gateway/rest`, `utils/httperror`, `manifest/`).
//! * The proxy (`proxy.rs`) is akash-network/console `apps/provider-proxy`: `POST /` with a JSON
//!   envelope, relayed to the provider named by `url`, with its certificate check against the
//!   chain, its retries and its error mapping (400, 495, 503).
//! * A provider's certificate ([`Certificate`]) decides who can reach it: IC outcalls accept only
//!   publicly trusted certificates; the proxy accepts those and self-signed ones registered on
//!   chain for the `providerAddress` it is given.
//! * What a provider does ([`Behaviour`]): answer, answer late, refuse manifests, or vanish after
//!   accepting one.
//!
//! Virtual time: a request is handled at the `now` the runtime passes; waits (a slow provider,
//! proxy retries) are compared with the callers' timeouts but do not move the clock. Services of
//! an accepted manifest become ready `ready_delay_secs` after acceptance.

mod api;
mod proxy;
#[cfg(test)]
mod tests;

use super::HttpService;
use crate::runtime::{HttpError, HttpMethod, HttpRequest, HttpResponse};
use ic_akash::jwt::Claims;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A lease's state on chain, as the provider sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseState {
    Active,
    Closed,
}

/// One lease of a deployment with a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseInfo {
    pub gseq: u32,
    pub oseq: u32,
    /// The name of the lease's group (`GroupSpec.name`): the provider runs the manifest group of
    /// that name for this lease.
    pub group_name: String,
    pub state: LeaseState,
    /// The deployment's `hash` on chain: SHA-256 of the manifest's sorted JSON.
    pub deployment_hash: [u8; 32],
}

/// What providers and the proxy read from the chain (implemented by the chain simulator).
pub trait LeaseView {
    /// The account's public key (compressed SEC1), known once the account has signed a tx.
    fn account_pubkey(&self, address: &str) -> Option<[u8; 33]>;

    /// Every lease (any state) of deployment (`owner`, `dseq`) with `provider`.
    fn deployment_leases(&self, owner: &str, dseq: u64, provider: &str) -> Vec<LeaseInfo>;

    /// The lease `owner/dseq/gseq/oseq/provider`, if it exists.
    fn lease(&self, owner: &str, dseq: u64, gseq: u32, oseq: u32, provider: &str) -> Option<LeaseInfo> {
        self.deployment_leases(owner, dseq, provider).into_iter().find(|l| l.gseq == gseq && l.oseq == oseq)
    }
}

/// A view shared behind a `RefCell` (as simulators are) is a view.
impl<T: LeaseView + ?Sized> LeaseView for RefCell<T> {
    fn account_pubkey(&self, address: &str) -> Option<[u8; 33]> {
        self.borrow().account_pubkey(address)
    }
    fn deployment_leases(&self, owner: &str, dseq: u64, provider: &str) -> Vec<LeaseInfo> {
        self.borrow().deployment_leases(owner, dseq, provider)
    }
    fn lease(&self, owner: &str, dseq: u64, gseq: u32, oseq: u32, provider: &str) -> Option<LeaseInfo> {
        self.borrow().lease(owner, dseq, gseq, oseq, provider)
    }
}

/// The certificate a provider serves on its API port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certificate {
    /// Publicly trusted (`--cert-issuer-enabled`): direct outcalls work; the proxy does not
    /// look at the chain.
    PubliclyTrusted,
    /// Self-signed and registered on chain for the provider's address (the usual case, the
    /// brief's "UntrustedCertificate"): direct outcalls fail the TLS check, the proxy works.
    SelfSignedOnChain,
    /// Self-signed and not matching the chain (the brief's "InvalidCertificate"): direct
    /// outcalls fail, the proxy answers 495.
    NotOnChain,
}

/// How a provider behaves, whatever its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Healthy,
    /// Every answer takes `answer_secs`: a caller whose timeout is shorter gets none, though the
    /// request was delivered and acted on.
    Slow { answer_secs: u64 },
    /// Manifests that pass authentication, the lease check and the hash check are refused
    /// with this status and body (e.g. 422 `manifest cross-validation error: ...`, or 500).
    RejectsManifests { status: u16, body: String },
    /// Accepts the first manifest (answers 200), then stops answering anything; see
    /// [`ProviderWorld::vanished`].
    Vanishes,
}

/// A provider of the simulated world.
#[derive(Clone, Debug)]
pub struct ProviderSpec {
    /// akash1... address (the lease's `provider`).
    pub address: String,
    /// `https://host:port`, as registered on chain (`host_uri`).
    pub host_uri: String,
    pub certificate: Certificate,
    pub behaviour: Behaviour,
    /// Seconds from an accepted manifest to every replica ready.
    pub ready_delay_secs: u64,
}

impl ProviderSpec {
    /// A healthy provider with a publicly trusted certificate, ready 60 s after a manifest.
    pub fn new(address: impl Into<String>, host_uri: impl Into<String>) -> Self {
        ProviderSpec {
            address: address.into(),
            host_uri: host_uri.into().trim_end_matches('/').to_ascii_lowercase(),
            certificate: Certificate::PubliclyTrusted,
            behaviour: Behaviour::Healthy,
            ready_delay_secs: 60,
        }
    }
    pub fn with_certificate(mut self, c: Certificate) -> Self {
        self.certificate = c;
        self
    }
    pub fn with_behaviour(mut self, b: Behaviour) -> Self {
        self.behaviour = b;
        self
    }
    pub fn with_ready_delay_secs(mut self, secs: u64) -> Self {
        self.ready_delay_secs = secs;
        self
    }
    /// The host name of `host_uri` (no scheme, no port).
    pub fn hostname(&self) -> &str {
        let rest = self.host_uri.split_once("://").map_or(self.host_uri.as_str(), |(_, r)| r);
        rest.split(':').next().unwrap_or(rest)
    }
}

/// A deployment a provider runs (after an accepted manifest).
#[derive(Clone, Debug)]
pub struct Deployed {
    pub owner: String,
    pub dseq: u64,
    /// The accepted manifest (a JSON array of groups).
    pub manifest: Value,
    pub hash: [u8; 32],
    pub accepted_at_nanos: u64,
    pub ready_at_nanos: u64,
}

/// A manifest that reached a provider with a token that authorized it.
#[derive(Clone, Debug)]
pub struct ReceivedManifest {
    pub at_nanos: u64,
    pub provider: String,
    pub owner: String,
    pub dseq: u64,
    pub via_proxy: bool,
    pub body: Vec<u8>,
    /// SHA-256 of the body's sorted JSON, as the provider recomputes it (None: not JSON).
    pub computed_hash: Option<[u8; 32]>,
    pub claims: Claims,
    /// The status the provider answered (200 accepted; 404, 422, ...), whether or not the
    /// answer reached the caller.
    pub status: u16,
}

/// Which leg of a request a log entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// An outcall straight to a provider.
    Direct,
    /// An outcall to the proxy (`provider` is the envelope's `providerAddress`).
    ProxyEnvelope,
    /// The proxy's request to the provider (attempt 1..=4).
    ProxyToProvider { attempt: u32 },
}

/// What came of one leg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// This status was answered (to the caller of this leg).
    Status(u16),
    /// No answer: the reason (TLS refused, unreachable, timeout...).
    NoAnswer(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub at_nanos: u64,
    pub replica: usize,
    pub hop: Hop,
    /// The provider's address (resolved from the URL; for the envelope, `providerAddress`).
    pub provider: Option<String>,
    pub method: String,
    pub url: String,
    pub outcome: Outcome,
}

struct Provider {
    spec: ProviderSpec,
    vanished: bool,
    deployed: BTreeMap<(String, u64), Deployed>,
}

/// How a provider answered: a response after `after_ms`, or nothing.
enum Answer {
    Response { response: HttpResponse, after_ms: u64 },
    NoAnswer(String),
}

/// Providers plus the proxy; an [`HttpService`] for the URLs [`ProviderWorld::handles`].
pub struct ProviderWorld {
    view: Rc<dyn LeaseView>,
    providers: Vec<Provider>,
    proxy_base: String,
    /// How long an IC outcall waits for an answer before it fails (assumed 30 s).
    pub outcall_timeout_secs: u64,
    manifests: Vec<ReceivedManifest>,
    log: Vec<LogEntry>,
}

impl ProviderWorld {
    /// A world reading the chain through `view`, with the proxy at `proxy_base`
    /// (e.g. `https://provider-proxy.test`).
    pub fn new(view: Rc<dyn LeaseView>, proxy_base: impl Into<String>) -> Self {
        ProviderWorld {
            view,
            providers: Vec::new(),
            proxy_base: proxy_base.into().trim_end_matches('/').to_ascii_lowercase(),
            outcall_timeout_secs: 30,
            manifests: Vec::new(),
            log: Vec::new(),
        }
    }

    pub fn add_provider(&mut self, spec: ProviderSpec) {
        assert!(self.index(&spec.address).is_none(), "provider {} added twice", spec.address);
        self.providers.push(Provider { spec, vanished: false, deployed: BTreeMap::new() });
    }

    pub fn proxy_base(&self) -> &str {
        &self.proxy_base
    }

    fn index(&self, address: &str) -> Option<usize> {
        self.providers.iter().position(|p| p.spec.address == address)
    }

    fn by_origin(&self, origin: &str) -> Option<usize> {
        self.providers.iter().position(|p| p.spec.host_uri == origin)
    }

    fn provider(&self, address: &str) -> &Provider {
        &self.providers[self.index(address).unwrap_or_else(|| panic!("no provider {address}"))]
    }

    fn provider_mut(&mut self, address: &str) -> &mut Provider {
        let i = self.index(address).unwrap_or_else(|| panic!("no provider {address}"));
        &mut self.providers[i]
    }

    pub fn spec(&self, address: &str) -> &ProviderSpec {
        &self.provider(address).spec
    }

    pub fn set_behaviour(&mut self, address: &str, behaviour: Behaviour) {
        self.provider_mut(address).spec.behaviour = behaviour;
    }

    pub fn set_certificate(&mut self, address: &str, certificate: Certificate) {
        self.provider_mut(address).spec.certificate = certificate;
    }

    /// The provider stops answering from now on (a machine gone mid-lease), whatever its behaviour.
    pub fn vanish(&mut self, address: &str) {
        self.provider_mut(address).vanished = true;
    }

    /// Whether a `Vanishes` provider has vanished (the chain simulator may close its leases).
    pub fn vanished(&self, address: &str) -> bool {
        self.provider(address).vanished
    }

    /// Addresses of the providers that vanished.
    pub fn vanished_providers(&self) -> Vec<String> {
        self.providers.iter().filter(|p| p.vanished).map(|p| p.spec.address.clone()).collect()
    }

    /// Every manifest that reached `provider` for deployment `dseq` (any owner) with an
    /// authorizing token, oldest first.
    pub fn manifests(&self, provider: &str, dseq: u64) -> Vec<&ReceivedManifest> {
        self.manifests.iter().filter(|m| m.provider == provider && m.dseq == dseq).collect()
    }

    pub fn all_manifests(&self) -> &[ReceivedManifest] {
        &self.manifests
    }

    /// What `provider` runs for deployment (`owner`, `dseq`).
    pub fn deployed(&self, provider: &str, owner: &str, dseq: u64) -> Option<&Deployed> {
        self.provider(provider).deployed.get(&(owner.to_string(), dseq))
    }

    /// Whether every service of the deployment is ready at `now_nanos`.
    pub fn is_ready(&self, provider: &str, owner: &str, dseq: u64, now_nanos: u64) -> bool {
        self.deployed(provider, owner, dseq).is_some_and(|d| now_nanos >= d.ready_at_nanos)
    }

    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
    }

    /// Whether `url` is served here (a provider's host URI or the proxy).
    pub fn handles(&self, url: &str) -> bool {
        let (origin, _) = split_url(url);
        origin == self.proxy_base || self.by_origin(&origin).is_some()
    }

    #[allow(clippy::too_many_arguments)]
    fn record(&mut self, now: u64, replica: usize, hop: Hop, provider: Option<String>, method: &str, url: &str, outcome: Outcome) {
        self.log.push(LogEntry { at_nanos: now, replica, hop, provider, method: method.to_string(), url: url.to_string(), outcome });
    }

    /// One request reaching provider `i` (TLS already settled by the caller).
    fn provider_request(&mut self, i: usize, now: u64, call: &api::Call<'_>) -> Answer {
        let p = &self.providers[i];
        if p.vanished {
            return Answer::NoAnswer("connection refused: the provider no longer answers".into());
        }
        let after_ms = match p.spec.behaviour {
            Behaviour::Slow { answer_secs } => answer_secs.saturating_mul(1000),
            _ => 0,
        };
        let response = api::handle(self, i, now, call);
        Answer::Response { response, after_ms }
    }

    fn serve_direct(&mut self, i: usize, now: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let method = method_name(request.method);
        let provider = Some(self.providers[i].spec.address.clone());
        if self.providers[i].spec.certificate != Certificate::PubliclyTrusted {
            let message = "TLS: certificate not trusted (self-signed provider certificate)".to_string();
            self.record(now, replica, Hop::Direct, provider, method, &request.url, Outcome::NoAnswer(message.clone()));
            return Err(HttpError::Unreachable { message });
        }
        let (_, path) = split_url(&request.url);
        let auth = header(&request.headers, "authorization");
        let call = api::Call { method, path: &path, authorization: auth, body: &request.body, via_proxy: false };
        let answer = self.provider_request(i, now, &call);
        let timeout_ms = self.outcall_timeout_secs.saturating_mul(1000);
        let (result, outcome) = match answer {
            Answer::NoAnswer(m) => (Err(HttpError::Unreachable { message: m.clone() }), Outcome::NoAnswer(m)),
            Answer::Response { after_ms, .. } if after_ms > timeout_ms => {
                let m = format!("timeout: no answer within {} s (the request was delivered)", self.outcall_timeout_secs);
                (Err(HttpError::Unreachable { message: m.clone() }), Outcome::NoAnswer(m))
            }
            Answer::Response { response, .. } => {
                let s = response.status;
                (Ok(response), Outcome::Status(s))
            }
        };
        self.record(now, replica, Hop::Direct, provider, method, &request.url, outcome);
        result
    }
}

impl HttpService for ProviderWorld {
    fn serve(&mut self, now_nanos: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        if request.method == HttpMethod::Put && request.replicated {
            return Err(HttpError::Rejected { message: "PUT outcalls must be non-replicated".into() });
        }
        let (origin, _) = split_url(&request.url);
        if origin == self.proxy_base {
            return proxy::serve(self, now_nanos, replica, request);
        }
        match self.by_origin(&origin) {
            Some(i) => self.serve_direct(i, now_nanos, replica, request),
            None => Err(HttpError::Unreachable { message: format!("no such host: {origin}") }),
        }
    }
}

fn method_name(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
    }
}

/// `(origin, path with query)`, the origin lower-cased without a trailing slash, the path
/// starting with `/`.
fn split_url(url: &str) -> (String, String) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_at = url[after_scheme..].find(['/', '?']).map_or(url.len(), |i| after_scheme + i);
    let origin = url[..path_at].to_ascii_lowercase();
    let path = &url[path_at..];
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    (origin, path)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}
