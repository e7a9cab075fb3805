//! The provider API as akash-network/provider serves it (`gateway/rest/router.go`,
//! `middleware.go`, `auth.go`, `gateway/utils/utils.go`, `utils/httperror`, `manifest/`).
//!
//! * Routing (gorilla/mux): an unknown path is 404 `404 page not found\n`; a known path with
//!   another method is 405 with an empty body.
//! * Authentication runs on every matched route, the public ones too: `Authorization` must be
//!   `Bearer <token>` (else 400 `{"message":"invalid authorization header"}`); a token whose
//!   issuer has no key on chain, that is malformed or whose signature fails is 401
//!   `{"message":"JWT is invalid"}`; a well-signed token with invalid claims, expired or not yet
//!   valid is 400 `{"message":"JWT has invalid claims"}` (golang-jwt v5 wraps time errors in
//!   `ErrTokenInvalidClaims`, which `jwtErrorToHTTP` tests first).
//! * Authorization: no token, a token not for this provider, for another deployment or lease,
//!   or without the scope: 401 `{"message":"unauthorized access"}`. The provider never
//!   answers 403. The owner is the token's `iss`: a token of another account looks for that
//!   account's deployment and finds none (404).
//! * `PUT /deployment/{dseq}/manifest`: body not JSON (or not an array) 422 with the decoder's
//!   message; no active lease of the deployment with this provider 404 `no lease for deployment\n`;
//!   hash mismatch 422 `manifest version validation failed\n`; accepted: 200, empty body.
//! * `GET /lease/{dseq}/{gseq}/{oseq}/status`: no such lease or no manifest yet: 404, empty
//!   body; else the `LeaseStatus` JSON (`services`, `forwarded_ports`, `ips`).

use super::{Behaviour, Deployed, LeaseState, ProviderWorld, ReceivedManifest, NANOS_PER_SEC};
use crate::runtime::HttpResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ic_akash::jwt::{self, Claims, Leases, ProviderAccess, Scope};
use ic_akash::signer::PublicKey;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One request as the provider receives it.
pub(super) struct Call<'a> {
    pub method: &'a str,
    /// Path, possibly with a query.
    pub path: &'a str,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
    pub via_proxy: bool,
}

enum Route {
    Status,
    Version,
    Address,
    Manifest(String),
    LeaseStatus(String, String, String),
}

fn route(path: &str) -> Option<(Route, &'static str)> {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let nonempty = |s: &&str| !s.is_empty();
    Some(match parts.as_slice() {
        ["status"] => (Route::Status, "GET"),
        ["version"] => (Route::Version, "GET"),
        ["address"] => (Route::Address, "GET"),
        ["deployment", d, "manifest"] if nonempty(d) => (Route::Manifest(d.to_string()), "PUT"),
        ["lease", d, g, o, "status"] if [d, g, o].iter().all(|s| !s.is_empty()) => {
            (Route::LeaseStatus(d.to_string(), g.to_string(), o.to_string()), "GET")
        }
        _ => return None,
    })
}

fn json_message(status: u16, message: &str) -> HttpResponse {
    HttpResponse { status, body: serde_json::json!({ "message": message }).to_string().into_bytes() }
}

/// `http.Error`: the text and a newline.
fn http_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse { status, body: format!("{message}\n").into_bytes() }
}

fn unauthorized() -> HttpResponse {
    json_message(401, "unauthorized access")
}

/// SHA-256 of the manifest's sorted-key JSON (`<`, `>`, `&` escaped), as the provider's
/// `Manifest.Version()` computes it (re-marshal, `SortJSON`, SHA-256).
pub fn manifest_hash(manifest: &Value) -> [u8; 32] {
    let mut out = String::new();
    ic_akash::json::write_value(manifest, &mut out, true);
    Sha256::digest(out.as_bytes()).into()
}

/// `prepareAuthMiddleware`: the claims of a valid token, `None` without one.
fn authenticate(w: &ProviderWorld, now: u64, authorization: Option<&str>) -> Result<Option<Claims>, HttpResponse> {
    let Some(value) = authorization.filter(|v| !v.is_empty()) else { return Ok(None) };
    let fields: Vec<&str> = value.split_whitespace().collect();
    if fields.len() != 2 || !fields[0].eq_ignore_ascii_case("bearer") {
        return Err(json_message(400, "invalid authorization header"));
    }
    let token = fields[1];
    let invalid = || json_message(401, "JWT is invalid");
    // Key function: the issuer's key from the chain.
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(invalid());
    }
    let payload: Value = URL_SAFE_NO_PAD
        .decode(parts[1])
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(invalid)?;
    let iss = payload.get("iss").and_then(Value::as_str).ok_or_else(invalid)?;
    if ic_akash::address::validate(iss).is_err() {
        return Err(invalid());
    }
    let key = w.view.account_pubkey(iss).ok_or_else(invalid)?;
    // Signature (ES256K only; the provider also takes the wallet variant ES256KADR36).
    let sig: [u8; 64] = URL_SAFE_NO_PAD
        .decode(parts[2])
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(invalid)?;
    let input = &token[..token.rfind('.').unwrap_or(0)];
    PublicKey(key).verify_digest(&jwt::digest(input), &sig).map_err(|_| invalid())?;
    // Claims, then time (both "invalid claims" once the signature is good).
    let claims = match jwt::decode_unverified(token) {
        Ok((c, _)) => c,
        Err(jwt::JwtError::Claim { .. }) | Err(jwt::JwtError::Json { .. }) => {
            return Err(json_message(400, "JWT has invalid claims"))
        }
        Err(_) => return Err(invalid()),
    };
    let (nbf, exp) = (claims.nbf.saturating_mul(NANOS_PER_SEC), claims.exp.saturating_mul(NANOS_PER_SEC));
    if now < nbf || now >= exp {
        return Err(json_message(400, "JWT has invalid claims"));
    }
    Ok(Some(claims))
}

/// `AuthorizeForProvider`.
fn for_provider(c: &Claims, provider: &str) -> bool {
    match &c.leases {
        Leases::Full | Leases::Scoped(_) => true,
        Leases::Granular(perms) => perms.iter().any(|p| p.provider == provider),
    }
}

/// `AuthorizeDeploymentIDForPermissionScope` (`lease: None`) and
/// `AuthorizeLeaseIDForPermissionScope` (`lease: Some((gseq, oseq))`); the owner is the issuer.
fn allows(c: &Claims, provider: &str, dseq: u64, lease: Option<(u32, u32)>, scope: Scope) -> bool {
    match &c.leases {
        Leases::Full => true,
        Leases::Scoped(s) => s.contains(&scope),
        Leases::Granular(perms) => perms.iter().filter(|p| p.provider == provider).any(|p| match &p.access {
            ProviderAccess::Full => true,
            ProviderAccess::Scoped(s) => s.contains(&scope),
            ProviderAccess::Granular(deps) => deps.iter().any(|d| {
                d.dseq == dseq
                    && d.scope.contains(&scope)
                    && lease.is_none_or(|(g, o)| d.gseq.is_none_or(|x| x == g) && d.oseq.is_none_or(|x| x == o))
            }),
        }),
    }
}

pub(super) fn handle(w: &mut ProviderWorld, i: usize, now: u64, call: &Call<'_>) -> HttpResponse {
    let Some((route, method)) = route(call.path) else { return http_error(404, "404 page not found") };
    if call.method != method {
        return HttpResponse { status: 405, body: Vec::new() };
    }
    let claims = match authenticate(w, now, call.authorization) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let address = w.providers[i].spec.address.clone();
    match route {
        Route::Status => return status_json(w, i),
        Route::Version => return version_json(),
        Route::Address => return HttpResponse { status: 200, body: serde_json::json!({ "address": address }).to_string().into_bytes() },
        _ => {}
    }
    // authorizeProviderMiddleware, requireOwner
    let Some(claims) = claims.filter(|c| for_provider(c, &address)) else { return unauthorized() };
    match route {
        Route::Manifest(d) => {
            let Ok(dseq) = d.parse::<u64>() else { return http_error(400, &format!("invalid dseq {d:?}")) };
            if !allows(&claims, &address, dseq, None, Scope::SendManifest) {
                return unauthorized();
            }
            put_manifest(w, i, now, call, claims, dseq)
        }
        Route::LeaseStatus(d, g, o) => {
            let (Ok(dseq), Ok(gseq), Ok(oseq)) = (d.parse::<u64>(), g.parse::<u32>(), o.parse::<u32>()) else {
                return http_error(400, "invalid lease path");
            };
            if !allows(&claims, &address, dseq, Some((gseq, oseq)), Scope::Status) {
                return unauthorized();
            }
            lease_status(w, i, now, &claims.iss, dseq, gseq, oseq)
        }
        _ => unreachable!("public routes answered above"),
    }
}

fn put_manifest(w: &mut ProviderWorld, i: usize, now: u64, call: &Call<'_>, claims: Claims, dseq: u64) -> HttpResponse {
    let address = w.providers[i].spec.address.clone();
    let owner = claims.iss.clone();
    let parsed: Result<Value, String> = serde_json::from_slice::<Value>(call.body)
        .map_err(|e| e.to_string())
        .and_then(|v| if v.is_array() { Ok(v) } else { Err("json: cannot unmarshal into Go value of type v2beta3.Manifest".into()) });
    let computed_hash = parsed.as_ref().ok().map(manifest_hash);
    let leases: Vec<_> = w
        .view
        .deployment_leases(&owner, dseq, &address)
        .into_iter()
        .filter(|l| l.state == LeaseState::Active)
        .collect();
    let (response, accepted) = match (&parsed, leases.first()) {
        (Err(e), _) => (http_error(422, e), None),
        (Ok(_), None) => (http_error(404, "no lease for deployment"), None),
        (Ok(_), Some(l)) if computed_hash != Some(l.deployment_hash) => (http_error(422, "manifest version validation failed"), None),
        (Ok(v), Some(_)) => match &w.providers[i].spec.behaviour {
            Behaviour::RejectsManifests { status, body } => (HttpResponse { status: *status, body: body.clone().into_bytes() }, None),
            _ => (HttpResponse { status: 200, body: Vec::new() }, Some(v.clone())),
        },
    };
    w.manifests.push(ReceivedManifest {
        at_nanos: now,
        provider: address,
        owner: owner.clone(),
        dseq,
        via_proxy: call.via_proxy,
        body: call.body.to_vec(),
        computed_hash,
        claims,
        status: response.status,
    });
    if let (Some(manifest), Some(hash)) = (accepted, computed_hash) {
        let p = &mut w.providers[i];
        let delay = p.spec.ready_delay_secs.saturating_mul(NANOS_PER_SEC);
        let key = (owner.clone(), dseq);
        // The same manifest again changes nothing in the cluster; another one redeploys.
        let ready_at = match p.deployed.get(&key) {
            Some(d) if d.hash == hash => d.ready_at_nanos,
            _ => now.saturating_add(delay),
        };
        p.deployed.insert(key, Deployed { owner, dseq, manifest, hash, accepted_at_nanos: now, ready_at_nanos: ready_at });
        if p.spec.behaviour == Behaviour::Vanishes {
            p.vanished = true;
        }
    }
    response
}

#[derive(Serialize)]
struct ServiceStatus {
    name: String,
    available: i32,
    total: i32,
    uris: Option<Vec<String>>,
    observed_generation: i64,
    replicas: i32,
    updated_replicas: i32,
    ready_replicas: i32,
    available_replicas: i32,
}

#[derive(Serialize)]
struct ForwardedPortStatus {
    #[serde(skip_serializing_if = "String::is_empty")]
    host: String,
    port: u16,
    #[serde(rename = "externalPort")]
    external_port: u16,
    proto: String,
    name: String,
}

#[derive(Serialize)]
struct LeaseStatus {
    services: BTreeMap<String, ServiceStatus>,
    forwarded_ports: Option<BTreeMap<String, Vec<ForwardedPortStatus>>>,
    ips: Option<BTreeMap<String, Vec<Value>>>,
}

/// A stable pseudo-random label (26 characters of base 36) for generated host names.
fn label(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().take(26).map(|b| char::from_digit(u32::from(*b) % 36, 36).unwrap_or('0')).collect()
}

fn lease_status(w: &ProviderWorld, i: usize, now: u64, owner: &str, dseq: u64, gseq: u32, oseq: u32) -> HttpResponse {
    let p = &w.providers[i];
    let not_found = HttpResponse { status: 404, body: Vec::new() };
    let Some(lease) = w.view.lease(owner, dseq, gseq, oseq, &p.spec.address).filter(|l| l.state == LeaseState::Active) else {
        return not_found;
    };
    let Some(d) = p.deployed.get(&(owner.to_string(), dseq)) else { return not_found };
    let group = d.manifest.as_array().and_then(|gs| gs.iter().find(|g| g["name"].as_str() == Some(lease.group_name.as_str())));
    let Some(services) = group.and_then(|g| g["services"].as_array()).filter(|s| !s.is_empty()) else {
        return http_error(404, "kube: no deployments for lease");
    };
    let ready = now >= d.ready_at_nanos;
    let lease_path = format!("{owner}/{dseq}/{gseq}/{oseq}/{}", p.spec.address);
    let mut status = LeaseStatus { services: BTreeMap::new(), forwarded_ports: None, ips: None };
    let mut forwarded: BTreeMap<String, Vec<ForwardedPortStatus>> = BTreeMap::new();
    let mut has_forwarded = false;
    for svc in services {
        let name = svc["name"].as_str().unwrap_or_default().to_string();
        let count = i32::try_from(svc["count"].as_u64().unwrap_or(1)).unwrap_or(i32::MAX);
        let mut uris: Vec<String> = Vec::new();
        for e in svc["expose"].as_array().into_iter().flatten() {
            let port = e["port"].as_u64().unwrap_or(0) as u16;
            let external = e["externalPort"].as_u64().unwrap_or(0) as u16;
            let global = e["global"].as_bool().unwrap_or(false);
            let proto = e["proto"].as_str().unwrap_or("TCP").to_string();
            let effective = if external == 0 { port } else { external };
            if global && proto == "TCP" && effective == 80 {
                uris.push(format!("{}.ingress.{}", label(&[&lease_path, &name]), p.spec.hostname()));
                uris.extend(e["hosts"].as_array().into_iter().flatten().filter_map(|h| h.as_str().map(str::to_string)));
            } else if global {
                has_forwarded = has_forwarded || external != 80;
                let node_port = 30000 + (u16::from_str_radix(&label(&[&lease_path, &name, &port.to_string()])[..3], 36).unwrap_or(0) % 2768);
                forwarded.entry(name.clone()).or_default().push(ForwardedPortStatus {
                    host: p.spec.hostname().to_string(),
                    port,
                    external_port: node_port,
                    proto,
                    name: name.clone(),
                });
            }
        }
        uris.sort();
        uris.dedup();
        let up = if ready { count } else { 0 };
        status.services.insert(
            name.clone(),
            ServiceStatus {
                name,
                available: up,
                total: count,
                uris: if uris.is_empty() { None } else { Some(uris) },
                observed_generation: 1,
                replicas: count,
                updated_replicas: count,
                ready_replicas: up,
                available_replicas: up,
            },
        );
    }
    if has_forwarded {
        status.forwarded_ports = Some(forwarded);
    }
    HttpResponse { status: 200, body: serde_json::to_vec(&status).unwrap_or_default() }
}

fn status_json(w: &ProviderWorld, i: usize) -> HttpResponse {
    let p = &w.providers[i];
    let n = p.deployed.len();
    let body = serde_json::json!({
        "cluster": { "leases": n, "inventory": { "available": {} } },
        "bidengine": { "orders": 0 },
        "manifest": { "deployments": n },
        "cluster_public_hostname": p.spec.hostname(),
        "address": p.spec.address,
    });
    HttpResponse { status: 200, body: body.to_string().into_bytes() }
}

fn version_json() -> HttpResponse {
    let body = serde_json::json!({
        "akash": { "name": "provider-services", "server_name": "provider-services", "version": "v0.10.0-sim", "commit": "", "build_tags": "", "go": "go1.24", "build_deps": [], "cosmos_sdk_version": "v0.53" },
        "kube": { "major": "1", "minor": "31", "gitVersion": "v1.31.0", "platform": "linux/amd64" },
    });
    HttpResponse { status: 200, body: body.to_string().into_bytes() }
}
