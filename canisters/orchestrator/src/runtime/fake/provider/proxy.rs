//! The Akash Console provider proxy (akash-network/console `apps/provider-proxy`:
//! `src/routes/proxyProviderRequest.ts`, `src/services/ProviderProxy.ts`,
//! `src/services/CertificateValidator/CertificateValidator.ts`, `src/utils/schema.ts`,
//! `src/utils/retry.ts`, `src/services/ProviderService/ProviderService.ts`).
//!
//! `POST /` with `{method: GET|POST|PUT|DELETE, url, providerAddress, body?: string,
//! timeout?: ms, auth?: {type: "jwt", token}}` (unknown fields such as `network` are ignored):
//! * an invalid envelope (url not https or an IP or `.local`, address not bech32, a token whose
//!   payload fails the JWT schema) is 400 with zod's `{"success":false,"error":{"issues":[..],"name":"ZodError"}}`;
//! * the request goes to `url` with `Authorization: Bearer <token>`, the body unless GET, and
//!   the per-attempt `timeout` (capped at 30 s; none when absent: zod's `.default(9000)` sits
//!   inside `.optional()` and never applies);
//! * the provider's certificate is checked when its response arrives, so the provider has
//!   already acted on the request: publicly trusted, fine; self-signed, it must be a valid
//!   certificate on chain of `providerAddress`, else 495 `Invalid certificate error: <code>`
//!   (not retried);
//! * a response >= 500 or a retriable connection error (refused, reset, timed out) is tried again
//!   up to 3 times, after 200, 400 and 800 ms;
//! * then: an unreachable provider is 503 `Provider <origin> is temporarily unavailable`; a 500
//!   is 400 with the provider's body when it reads as a validation error, else that 503; any
//!   other status is relayed with its body.

use super::api::Call;
use super::{Answer, Certificate, Hop, Outcome, ProviderWorld};
use crate::runtime::{HttpError, HttpMethod, HttpRequest, HttpResponse};
use serde_json::{json, Value};

const MAX_PER_ATTEMPT_TIMEOUT_MS: u64 = 30_000;
const MAX_RETRIES: u32 = 3;

struct Envelope {
    method: &'static str,
    url: String,
    provider_address: String,
    body: Option<String>,
    timeout_ms: Option<u64>,
    token: Option<String>,
}

fn issue(path: &[&str], message: &str) -> HttpResponse {
    let body = json!({
        "success": false,
        "error": { "issues": [{ "code": "custom", "message": message, "path": path }], "name": "ZodError" },
    });
    HttpResponse { status: 400, body: body.to_string().into_bytes() }
}

fn text(status: u16, s: &str) -> HttpResponse {
    HttpResponse { status, body: s.as_bytes().to_vec() }
}

fn parse_envelope(body: &[u8]) -> Result<Envelope, HttpResponse> {
    let v: Value = serde_json::from_slice(body).map_err(|_| issue(&[], "Malformed JSON in request body"))?;
    let o = v.as_object().ok_or_else(|| issue(&[], "Expected object"))?;
    let method = match o.get("method").and_then(Value::as_str) {
        Some("GET") => "GET",
        Some("POST") => "POST",
        Some("PUT") => "PUT",
        Some("DELETE") => "DELETE",
        _ => return Err(issue(&["method"], "Invalid enum value. Expected 'GET' | 'POST' | 'PUT' | 'DELETE'")),
    };
    let url = o.get("url").and_then(Value::as_str).ok_or_else(|| issue(&["url"], "Required"))?;
    if !url_allowed(url) {
        return Err(issue(&["url"], "URL must use https protocol and cannot point to IP address"));
    }
    let provider_address = o.get("providerAddress").and_then(Value::as_str).unwrap_or_default();
    if ic_akash::address::validate(provider_address).is_err() {
        return Err(issue(&["providerAddress"], "is not bech32 address"));
    }
    let body = match o.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(issue(&["body"], "Expected string")),
    };
    let timeout_ms = match o.get("timeout") {
        None | Some(Value::Null) => None,
        Some(t) => match t.as_f64() {
            Some(ms) if ms >= 0.0 => Some((ms as u64).min(MAX_PER_ATTEMPT_TIMEOUT_MS)),
            _ => return Err(issue(&["timeout"], "Number must be greater than or equal to 0")),
        },
    };
    let token = match o.get("auth") {
        None | Some(Value::Null) => None,
        Some(a) => match (a.get("type").and_then(Value::as_str), a.get("token").and_then(Value::as_str)) {
            (Some("jwt"), Some(t)) => {
                if ic_akash::jwt::decode_unverified(t).is_err() {
                    return Err(issue(&["auth", "token"], "is not a valid JWT token"));
                }
                Some(t.to_string())
            }
            (Some("mtls"), _) => return Err(issue(&["auth"], "mtls is not simulated")),
            _ => return Err(issue(&["auth", "type"], "Invalid discriminator value. Expected 'mtls' | 'jwt'")),
        },
    };
    Ok(Envelope { method, url: url.to_string(), provider_address: provider_address.to_string(), body, timeout_ms, token })
}

/// `https:`, and a host that is neither an IP address nor `*.local`.
fn url_allowed(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(h) = authority.strip_prefix('[') {
        h.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    !host.is_empty() && !host.ends_with(".local") && host.parse::<std::net::IpAddr>().is_err()
}

/// `ProviderService.isValidationServerError`.
fn is_validation_error(body: &[u8]) -> bool {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    s.starts_with("manifest cross-validation error:") || s.starts_with("hostname not allowed:") || s.contains("validation failed")
}

pub(super) fn serve(w: &mut ProviderWorld, now: u64, replica: usize, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
    let (_, path) = super::split_url(&request.url);
    let method = super::method_name(request.method);
    let log = |w: &mut ProviderWorld, provider: Option<String>, outcome: Outcome| {
        w.record(now, replica, Hop::ProxyEnvelope, provider, method, &request.url, outcome)
    };
    if request.method != HttpMethod::Post || path.split('?').next() != Some("/") {
        log(w, None, Outcome::Status(404));
        return Ok(text(404, "404 Not Found"));
    }
    let env = match parse_envelope(&request.body) {
        Ok(e) => e,
        Err(r) => {
            log(w, None, Outcome::Status(r.status));
            return Ok(r);
        }
    };
    let (origin, target_path) = super::split_url(&env.url);
    let unavailable = text(503, &format!("Provider {origin} is temporarily unavailable"));
    let mut elapsed_ms = 0u64;
    let response = match w.by_origin(&origin) {
        // DNS finds nothing: a connection error that is not retried.
        None => unavailable,
        Some(i) => {
            let authorization = env.token.as_ref().map(|t| format!("Bearer {t}"));
            let body = if env.method == "GET" { &[][..] } else { env.body.as_deref().unwrap_or_default().as_bytes() };
            let call = Call { method: env.method, path: &target_path, authorization: authorization.as_deref(), body, via_proxy: true };
            let spec_address = w.providers[i].spec.address.clone();
            let mut attempt = 0;
            loop {
                attempt += 1;
                if attempt > 1 {
                    elapsed_ms += 100 << (attempt - 1);
                }
                let answer = w.provider_request(i, now, &call);
                let (result, outcome) = match answer {
                    Answer::NoAnswer(m) => (None, Outcome::NoAnswer(m)),
                    Answer::Response { after_ms, .. } if env.timeout_ms.is_some_and(|t| after_ms > t) => {
                        let t = env.timeout_ms.unwrap_or_default();
                        elapsed_ms += t;
                        (None, Outcome::NoAnswer(format!("ECONNRESET: no answer within the {t} ms timeout")))
                    }
                    Answer::Response { response, after_ms } => {
                        elapsed_ms += after_ms;
                        let s = response.status;
                        (Some(response), Outcome::Status(s))
                    }
                };
                w.record(now, replica, Hop::ProxyToProvider { attempt }, Some(spec_address.clone()), env.method, &env.url, outcome);
                let retries_left = attempt <= MAX_RETRIES;
                match result {
                    None if retries_left => continue,
                    None => break unavailable,
                    Some(r) => {
                        let cert = w.providers[i].spec.certificate;
                        let on_chain_for_address = cert == Certificate::SelfSignedOnChain && env.provider_address == spec_address;
                        if cert != Certificate::PubliclyTrusted && !on_chain_for_address {
                            break text(495, "Invalid certificate error: unknownCertificate");
                        }
                        if r.status >= 500 && retries_left {
                            continue;
                        }
                        if r.status == 500 {
                            break if is_validation_error(&r.body) { HttpResponse { status: 400, body: r.body } } else { unavailable };
                        }
                        break r;
                    }
                }
            }
        }
    };
    if elapsed_ms > w.outcall_timeout_secs.saturating_mul(1000) {
        let message = format!("timeout: the proxy answered after {elapsed_ms} ms (the request was delivered)");
        log(w, Some(env.provider_address), Outcome::NoAnswer(message.clone()));
        return Err(HttpError::Unreachable { message });
    }
    log(w, Some(env.provider_address), Outcome::Status(response.status));
    Ok(response)
}
