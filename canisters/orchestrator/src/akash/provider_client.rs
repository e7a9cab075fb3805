//! Talking to a provider for an owner: the manifest upload and the lease status, authenticated
//! with an ES256K JWT (AEP-64) signed by the owner account's threshold-ECDSA key.
//!
//! The token is granular: that provider, that deployment (and lease), the `send-manifest` and
//! `status` scopes, the lease's services, ten minutes. It is cached per lease until a minute
//! before it expires, so polling a lease's status costs no further signature.
//!
//! Route: through the Akash Console provider proxy (`provider_proxy_url`), which checks the
//! provider's certificate against the chain (outcalls accept only publicly trusted certificates,
//! which most providers lack), or directly to the provider's host URI when no proxy is set. The
//! upload is non-replicated (a PUT; the IC sends those from one replica, and nothing is decided
//! from its answer: readiness is read back, replicated); the status read is replicated, reduced by
//! the transform to what the parser reads.

use crate::akash::client::{self, Call, CallKind};
use crate::akash::keys::{self, EcdsaSigner};
use crate::canister::Orchestrator;
use crate::runtime::{HttpMethod, HttpResponse, Runtime};
use crate::storage::SignerId;
use candid::Principal;
use ic_akash::jwt::{self, Claims, DeploymentPermission, Leases, ProviderAccess, ProviderPermission, Scope};
use ic_akash::rest::provider::{self as rp, LeaseStatus};
use ic_akash::signer::PublicKey;
use std::fmt;

/// How long a lease token is valid.
pub const PROVIDER_TOKEN_TTL_SECS: u64 = 600;
/// A cached token is not used in its last minute (clocks differ, requests take time).
pub const PROVIDER_TOKEN_MARGIN_SECS: u64 = 60;
/// What the proxy may wait for the provider, per attempt (its own cap is 30 s).
pub const PROVIDER_TIMEOUT_MS: u64 = 30_000;
pub const SEND_MANIFEST_MAX_RESPONSE_BYTES: u64 = 4_096;
/// A lease's status: about 1 KB per service with its URIs and ports; a larger one is asked again
/// with twice the limit.
pub const LEASE_STATUS_MAX_RESPONSE_BYTES: u64 = 8_192;
/// Error bodies are cut to this many bytes in errors and logs.
pub const PROVIDER_ERROR_MAX_BYTES: usize = 300;

/// Cached provider tokens: (owner, provider, dseq) → (token, expiry in seconds).
pub type ProviderTokens = std::collections::BTreeMap<(Principal, String, u64), (String, u64)>;

/// One lease, as the provider client needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseRef {
    pub owner: Principal,
    /// The provider's account address (akash1...).
    pub provider: String,
    /// The provider's API, from its registration on chain (`https://host:8443`).
    pub host_uri: String,
    pub dseq: u64,
    pub gseq: u32,
    pub oseq: u32,
    /// The services of the lease's group (the token names them).
    pub services: Vec<String>,
}

/// Why a provider request gave no answer the flow can use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderError {
    /// Neither the provider nor the proxy answered; the request may have arrived.
    Unreachable { reason: String },
    /// The provider (or the proxy) answered with an error status.
    Refused { status: u16, message: String },
    /// The answer could not be read.
    Invalid { reason: String },
    /// No token: the owner's key or signature failed.
    Token { reason: String },
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderError::Unreachable { reason } => write!(f, "provider unreachable: {reason}"),
            ProviderError::Refused { status, message } => write!(f, "provider answered {status}: {message}"),
            ProviderError::Invalid { reason } => write!(f, "unreadable provider answer: {reason}"),
            ProviderError::Token { reason } => write!(f, "no provider token: {reason}"),
        }
    }
}

/// The lease's token: from the cache, or signed now with the owner's key.
pub async fn lease_token<R: Runtime>(o: &Orchestrator<R>, lease: &LeaseRef) -> Result<String, ProviderError> {
    let now = o.now_secs();
    let key = (lease.owner, lease.provider.clone(), lease.dseq);
    if let Some((token, exp)) = o.provider_tokens.borrow().get(&key) {
        if now + PROVIDER_TOKEN_MARGIN_SECS < *exp {
            return Ok(token.clone());
        }
    }
    let id = SignerId::Owner(lease.owner);
    let acc = keys::signer_account(o, id).await.map_err(|e| ProviderError::Token { reason: e.to_string() })?;
    let key_bytes = PublicKey::from_sec1(&acc.public_key).map_err(|e| ProviderError::Token { reason: e.to_string() })?;
    let permission = DeploymentPermission {
        dseq: lease.dseq,
        gseq: Some(lease.gseq),
        oseq: Some(lease.oseq),
        scope: vec![Scope::SendManifest, Scope::Status],
        services: lease.services.clone(),
    };
    let leases = Leases::Granular(vec![ProviderPermission {
        provider: lease.provider.clone(),
        access: ProviderAccess::Granular(vec![permission]),
    }]);
    let claims = Claims::new(acc.address, now, PROVIDER_TOKEN_TTL_SECS, leases);
    let signer = EcdsaSigner { o, id, key: key_bytes };
    let token = jwt::sign(&signer, &claims).await.map_err(|e| ProviderError::Token { reason: e.to_string() })?;
    let mut cache = o.provider_tokens.borrow_mut();
    cache.retain(|_, (_, exp)| now < *exp);
    cache.insert(key, (token.clone(), claims.exp));
    Ok(token)
}

/// A token for the owner itself: the given scopes on the given leases (provider, dseq, services),
/// valid `ttl_secs`. Signed now (one signature), not cached. Returns the token and its expiry.
pub async fn owner_token<R: Runtime>(
    o: &Orchestrator<R>,
    owner: Principal,
    leases: &[(String, u64, Vec<String>)],
    scopes: &[Scope],
    ttl_secs: u64,
) -> Result<(String, u64), ProviderError> {
    let id = SignerId::Owner(owner);
    let acc = keys::signer_account(o, id).await.map_err(|e| ProviderError::Token { reason: e.to_string() })?;
    let key = PublicKey::from_sec1(&acc.public_key).map_err(|e| ProviderError::Token { reason: e.to_string() })?;
    let mut permissions: Vec<ProviderPermission> = Vec::new();
    for (provider, dseq, services) in leases {
        let permission = DeploymentPermission { dseq: *dseq, gseq: None, oseq: None, scope: scopes.to_vec(), services: services.clone() };
        match permissions.iter_mut().find(|p| &p.provider == provider) {
            Some(ProviderPermission { access: ProviderAccess::Granular(list), .. }) => list.push(permission),
            _ => permissions.push(ProviderPermission { provider: provider.clone(), access: ProviderAccess::Granular(vec![permission]) }),
        }
    }
    let claims = Claims::new(acc.address, o.now_secs(), ttl_secs, Leases::Granular(permissions));
    let signer = EcdsaSigner { o, id, key };
    let token = jwt::sign(&signer, &claims).await.map_err(|e| ProviderError::Token { reason: e.to_string() })?;
    Ok((token, claims.exp))
}

/// The route of a request: the proxy's envelope, or the provider itself.
fn route(proxy: &str, lease: &LeaseRef, method: HttpMethod, path: &str, body: Option<&str>, token: &str, call: &mut Call) -> String {
    if proxy.is_empty() {
        call.method = method;
        call.path = path.to_string();
        call.headers = vec![("Authorization".into(), format!("Bearer {token}"))];
        if let Some(b) = body {
            call.headers.push(("Content-Type".into(), "application/json".into()));
            call.body = b.as_bytes().to_vec();
        }
        lease.host_uri.clone()
    } else {
        let verb = match method {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
        };
        let url = format!("{}{path}", lease.host_uri);
        call.path = "/".into();
        call.post(rp::proxy_request_body(verb, &url, &lease.provider, body, PROVIDER_TIMEOUT_MS, token));
        proxy.trim_end_matches('/').to_string()
    }
}

/// What to ask a provider.
struct ProviderCall<'a> {
    kind: CallKind,
    method: HttpMethod,
    path: String,
    body: Option<&'a str>,
    max_response_bytes: u64,
    replicated: bool,
}

async fn request<R: Runtime>(o: &Orchestrator<R>, lease: &LeaseRef, pc: ProviderCall<'_>) -> Result<HttpResponse, ProviderError> {
    let token = lease_token(o, lease).await?;
    let proxy = o.read(|s| s.config().provider_proxy_url.clone());
    let mut call = Call::get(pc.kind, String::new(), pc.max_response_bytes);
    call.replicated = pc.replicated;
    let base = route(&proxy, lease, pc.method, &pc.path, pc.body, &token, &mut call);
    client::send(o, &base, &call).await.map_err(|reason| ProviderError::Unreachable { reason })
}

fn refused(r: &HttpResponse) -> ProviderError {
    let text = String::from_utf8_lossy(&r.body);
    let mut end = text.len().min(PROVIDER_ERROR_MAX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    ProviderError::Refused { status: r.status, message: text[..end].trim().to_string() }
}

/// Uploads the manifest (the exact JSON whose hash is the deployment's on chain).
pub async fn send_manifest<R: Runtime>(o: &Orchestrator<R>, lease: &LeaseRef, manifest_json: &str) -> Result<(), ProviderError> {
    let pc = ProviderCall {
        kind: CallKind::SendManifest,
        method: HttpMethod::Put,
        path: rp::manifest_path(lease.dseq),
        body: Some(manifest_json),
        max_response_bytes: SEND_MANIFEST_MAX_RESPONSE_BYTES,
        replicated: false,
    };
    let r = request(o, lease, pc).await?;
    if (200..300).contains(&r.status) {
        Ok(())
    } else {
        Err(refused(&r))
    }
}

/// The lease's status; `None` while the provider has no manifest for it (or no active lease).
pub async fn lease_status<R: Runtime>(o: &Orchestrator<R>, lease: &LeaseRef) -> Result<Option<LeaseStatus>, ProviderError> {
    let pc = ProviderCall {
        kind: CallKind::LeaseStatus,
        method: HttpMethod::Get,
        path: rp::lease_status_path(lease.dseq, lease.gseq, lease.oseq),
        body: None,
        max_response_bytes: LEASE_STATUS_MAX_RESPONSE_BYTES,
        replicated: true,
    };
    let r = request(o, lease, pc).await?;
    match r.status {
        200..=299 => rp::parse_lease_status(&r.body).map(Some).map_err(|e| ProviderError::Invalid { reason: e.to_string() }),
        404 => Ok(None),
        _ => Err(refused(&r)),
    }
}
