use super::api::manifest_hash;
use super::*;
use ic_akash::jwt::{DeploymentPermission, Leases, ProviderAccess, ProviderPermission, Scope};
use ic_akash::signer::{now_or_never, LocalSigner, Signer};

const GENESIS: u64 = 1_800_000_000;
const NOW: u64 = GENESIS * NANOS_PER_SEC;
const PROXY: &str = "https://provider-proxy.test";
const DSEQ: u64 = 42;

const SDL: &str = r#"
version: "2.0"
services:
  web:
    image: nginx
    expose:
      - port: 80
        as: 80
        to:
          - global: true
        accept:
          - www.example.com
      - port: 22
        as: 2222
        to:
          - global: true
profiles:
  compute:
    web:
      resources:
        cpu: {units: 0.5}
        memory: {size: 512Mi}
        storage: {size: 1Gi}
  placement:
    dcloud:
      pricing:
        web: {denom: uact, amount: 1000}
deployment:
  web:
    dcloud: {profile: web, count: 2}
"#;

#[derive(Default)]
struct StubChain {
    keys: BTreeMap<String, [u8; 33]>,
    /// (owner, dseq, provider) -> leases
    leases: BTreeMap<(String, u64, String), Vec<LeaseInfo>>,
}

impl LeaseView for StubChain {
    fn account_pubkey(&self, address: &str) -> Option<[u8; 33]> {
        self.keys.get(address).copied()
    }
    fn deployment_leases(&self, owner: &str, dseq: u64, provider: &str) -> Vec<LeaseInfo> {
        self.leases.get(&(owner.to_string(), dseq, provider.to_string())).cloned().unwrap_or_default()
    }
}

fn signer(byte: u8) -> LocalSigner {
    LocalSigner::from_hex(&format!("{byte:02x}").repeat(32)).unwrap()
}

fn addr(s: &LocalSigner) -> String {
    ic_akash::address::address_of(&s.public_key())
}

struct H {
    chain: Rc<RefCell<StubChain>>,
    world: ProviderWorld,
    owner: LocalSigner,
    p1: String,
    p2: String,
    sdl: ic_akash::sdl::Sdl,
}

const HOST1: &str = "https://provider-1.test:8443";
const HOST2: &str = "https://provider-2.test:8443";

impl H {
    /// Owner with a key on chain, two providers (p1 publicly trusted, p2 self-signed on chain),
    /// each with an active lease of deployment DSEQ.
    fn new() -> H {
        let owner = signer(0x11);
        let (p1, p2) = (addr(&signer(0x21)), addr(&signer(0x22)));
        let sdl = ic_akash::sdl::parse(SDL).unwrap();
        let chain = Rc::new(RefCell::new(StubChain::default()));
        {
            let mut c = chain.borrow_mut();
            c.keys.insert(addr(&owner), owner.public_key().0);
            for p in [&p1, &p2] {
                let lease = LeaseInfo { gseq: 1, oseq: 1, group_name: "dcloud".into(), state: LeaseState::Active, deployment_hash: sdl.version() };
                c.leases.insert((addr(&owner), DSEQ, p.clone()), vec![lease]);
            }
        }
        let mut world = ProviderWorld::new(chain.clone(), PROXY);
        world.add_provider(ProviderSpec::new(&p1, HOST1).with_ready_delay_secs(30));
        world.add_provider(ProviderSpec::new(&p2, HOST2).with_certificate(Certificate::SelfSignedOnChain));
        H { chain, world, owner, p1, p2, sdl }
    }

    fn token_by(&self, s: &LocalSigner, iss: &str, leases: Leases, at: u64) -> String {
        now_or_never(ic_akash::jwt::sign(s, &Claims::new(iss, at, 900, leases))).unwrap().unwrap()
    }

    fn token(&self, leases: Leases) -> String {
        self.token_by(&self.owner, &addr(&self.owner), leases, GENESIS)
    }

    fn granular(&self, provider: &str, dseq: u64, scope: Vec<Scope>) -> Leases {
        Leases::Granular(vec![ProviderPermission {
            provider: provider.into(),
            access: ProviderAccess::Granular(vec![DeploymentPermission { dseq, gseq: Some(1), oseq: Some(1), scope, services: vec!["web".into()] }]),
        }])
    }

    fn request(&self, method: HttpMethod, url: &str, token: Option<&str>, body: &[u8]) -> HttpRequest {
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if let Some(t) = token {
            headers.push(("Authorization".into(), format!("Bearer {t}")));
        }
        HttpRequest {
            url: url.into(),
            method,
            headers,
            body: body.to_vec(),
            max_response_bytes: 100_000,
            replicated: method != HttpMethod::Put,
            transform_context: vec![],
        }
    }

    fn call(&mut self, now: u64, r: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.world.serve(now, 0, r)
    }

    fn put(&mut self, host: &str, token: &str, body: &[u8]) -> Result<HttpResponse, HttpError> {
        let r = self.request(HttpMethod::Put, &format!("{host}/deployment/{DSEQ}/manifest"), Some(token), body);
        self.call(NOW, &r)
    }

    fn status(&mut self, now: u64, host: &str, token: &str) -> Result<HttpResponse, HttpError> {
        let r = self.request(HttpMethod::Get, &format!("{host}/lease/{DSEQ}/1/1/status"), Some(token), b"");
        self.call(now, &r)
    }

    #[allow(clippy::too_many_arguments)]
    fn proxied(&mut self, now: u64, method: &str, url: &str, provider: &str, token: &str, body: Option<&str>, timeout: Option<u64>) -> Result<HttpResponse, HttpError> {
        let mut env = serde_json::json!({
            "method": method, "url": url, "providerAddress": provider, "network": "mainnet",
            "auth": { "type": "jwt", "token": token },
        });
        if let Some(b) = body {
            env["body"] = b.into();
        }
        if let Some(t) = timeout {
            env["timeout"] = t.into();
        }
        let r = self.request(HttpMethod::Post, &format!("{PROXY}/"), None, env.to_string().as_bytes());
        self.call(now, &r)
    }

    fn manifest(&self) -> Vec<u8> {
        self.sdl.manifest_json().as_bytes().to_vec()
    }
}

fn body(r: &HttpResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", body(r)))
}

#[test]
fn provider_hash_is_the_deployment_hash() {
    let h = H::new();
    assert_eq!(manifest_hash(h.sdl.manifest()), h.sdl.version());
}

#[test]
fn provider_accepts_a_manifest_and_services_become_ready() {
    let mut h = H::new();
    let t = h.token(h.granular(&h.p1.clone(), DSEQ, vec![Scope::SendManifest, Scope::Status]));
    // No manifest yet: 404, empty body.
    let r = h.status(NOW, HOST1, &t).unwrap();
    assert_eq!((r.status, r.body.len()), (404, 0));

    let r = h.put(HOST1, &t, &h.manifest()).unwrap();
    assert_eq!((r.status, body(&r)), (200, String::new()));
    let got = h.world.manifests(&h.p1, DSEQ);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].status, 200);
    assert_eq!(got[0].owner, addr(&h.owner));
    assert_eq!(got[0].computed_hash, Some(h.sdl.version()));
    assert!(!got[0].via_proxy);
    assert!(matches!(got[0].claims.leases, Leases::Granular(_)));
    let owner = addr(&h.owner);
    assert!(!h.world.is_ready(&h.p1, &owner, DSEQ, NOW));

    // Before readiness: deployments exist, no replica ready.
    let r = h.status(NOW + 29 * NANOS_PER_SEC, HOST1, &t).unwrap();
    assert_eq!(r.status, 200);
    let s = json(&r);
    let web = &s["services"]["web"];
    assert_eq!((web["total"].as_i64(), web["ready_replicas"].as_i64(), web["available"].as_i64()), (Some(2), Some(0), Some(0)));
    // After: all ready; ingress URI generated plus the accepted host; port 22 forwarded.
    let r = h.status(NOW + 30 * NANOS_PER_SEC, HOST1, &t).unwrap();
    let s = json(&r);
    let web = &s["services"]["web"];
    assert_eq!((web["ready_replicas"].as_i64(), web["available_replicas"].as_i64(), web["replicas"].as_i64()), (Some(2), Some(2), Some(2)));
    let uris: Vec<&str> = web["uris"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert_eq!(uris.len(), 2);
    assert!(uris.contains(&"www.example.com"));
    assert!(uris.iter().any(|u| u.ends_with(".ingress.provider-1.test")));
    let fp = &s["forwarded_ports"]["web"][0];
    assert_eq!((fp["port"].as_u64(), fp["proto"].as_str(), fp["host"].as_str(), fp["name"].as_str()), (Some(22), Some("TCP"), Some("provider-1.test"), Some("web")));
    assert!((30000..32768).contains(&fp["externalPort"].as_u64().unwrap()));
    assert!(s["ips"].is_null());
    assert!(h.world.is_ready(&h.p1, &owner, DSEQ, NOW + 30 * NANOS_PER_SEC));

    // The same manifest again: still ready.
    let r = h.put(HOST1, &t, &h.manifest()).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(h.world.deployed(&h.p1, &owner, DSEQ).unwrap().ready_at_nanos, NOW + 30 * NANOS_PER_SEC);

    // A closed lease: the provider no longer runs it.
    h.chain.borrow_mut().leases.values_mut().for_each(|ls| ls.iter_mut().for_each(|l| l.state = LeaseState::Closed));
    assert_eq!(h.status(NOW + 60 * NANOS_PER_SEC, HOST1, &t).unwrap().status, 404);
    assert_eq!((h.put(HOST1, &t, &h.manifest()).unwrap().status), 404);
}

#[test]
fn provider_recomputes_the_hash() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    // Same content, other key order and spacing: the sorted JSON, so the same hash.
    let reordered = serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&h.manifest()).unwrap()).unwrap();
    assert_eq!(h.put(HOST1, &t, &reordered).unwrap().status, 200);
    // Other content: 422 with the provider's message.
    let tampered = body(&HttpResponse { status: 0, body: h.manifest() }).replace("nginx", "nginx:latest");
    let r = h.put(HOST1, &t, tampered.as_bytes()).unwrap();
    assert_eq!((r.status, body(&r)), (422, "manifest version validation failed\n".to_string()));
    // `[]` where the SDK writes null changes the hash.
    let nulls = body(&HttpResponse { status: 0, body: h.manifest() }).replacen("\"args\":null", "\"args\":[]", 1);
    assert_eq!(h.put(HOST1, &t, nulls.as_bytes()).unwrap().status, 422);
    // Not a manifest: 422 from the decoder.
    assert_eq!(h.put(HOST1, &t, b"{}").unwrap().status, 422);
    assert_eq!(h.put(HOST1, &t, b"not json").unwrap().status, 422);
    let statuses: Vec<u16> = h.world.manifests(&h.p1, DSEQ).iter().map(|m| m.status).collect();
    assert_eq!(statuses, vec![200, 422, 422, 422, 422]);
}

#[test]
fn provider_refuses_bad_tokens_as_the_real_one_does() {
    let mut h = H::new();
    let m = h.manifest();
    let owner = addr(&h.owner);
    let msg = |r: &HttpResponse| (r.status, json(r)["message"].as_str().unwrap_or_default().to_string());

    // No token: 401 unauthorized access (the public routes still answer).
    let r = h.call(NOW, &h.request(HttpMethod::Put, &format!("{HOST1}/deployment/{DSEQ}/manifest"), None, &m)).unwrap();
    assert_eq!(msg(&r), (401, "unauthorized access".into()));
    for p in ["/status", "/version", "/address"] {
        let r = h.call(NOW, &h.request(HttpMethod::Get, &format!("{HOST1}{p}"), None, b"")).unwrap();
        assert_eq!(r.status, 200, "{p}");
    }
    assert_eq!(json(&h.call(NOW, &h.request(HttpMethod::Get, &format!("{HOST1}/status"), None, b"")).unwrap())["address"], h.p1.as_str());
    // Not a bearer header.
    let mut r = h.request(HttpMethod::Put, &format!("{HOST1}/deployment/{DSEQ}/manifest"), None, &m);
    r.headers.push(("authorization".into(), "Basic abc".into()));
    assert_eq!(msg(&h.call(NOW, &r).unwrap()), (400, "invalid authorization header".into()));

    // Signed by another key than the issuer's: 401 JWT is invalid.
    let forged = h.token_by(&signer(0x33), &owner, Leases::Full, GENESIS);
    assert_eq!(msg(&h.put(HOST1, &forged, &m).unwrap()), (401, "JWT is invalid".into()));
    // An issuer without a key on chain: 401 too.
    let stranger = signer(0x44);
    let unknown = h.token_by(&stranger, &addr(&stranger), Leases::Full, GENESIS);
    assert_eq!(msg(&h.put(HOST1, &unknown, &m).unwrap()), (401, "JWT is invalid".into()));
    // Another account with a key, not the lease owner: its own deployment DSEQ has no lease.
    h.chain.borrow_mut().keys.insert(addr(&stranger), stranger.public_key().0);
    let other = h.token_by(&stranger, &addr(&stranger), Leases::Full, GENESIS);
    let r = h.put(HOST1, &other, &m).unwrap();
    assert_eq!((r.status, body(&r)), (404, "no lease for deployment\n".into()));
    assert_eq!(h.status(NOW, HOST1, &other).unwrap().status, 404);
    // Expired, or not yet valid: 400 JWT has invalid claims (golang-jwt wraps the time error).
    let old = h.token_by(&h.owner, &owner, Leases::Full, GENESIS - 900);
    assert_eq!(msg(&h.put(HOST1, &old, &m).unwrap()), (400, "JWT has invalid claims".into()));
    let early = h.token_by(&h.owner, &owner, Leases::Full, GENESIS + 10);
    assert_eq!(msg(&h.put(HOST1, &early, &m).unwrap()), (400, "JWT has invalid claims".into()));
    // Garbage.
    assert_eq!(msg(&h.put(HOST1, "a.b.c", &m).unwrap()), (401, "JWT is invalid".into()));

    // Wrong scope: status only cannot send a manifest; send-manifest only cannot read status.
    let status_only = h.token(Leases::Scoped(vec![Scope::Status]));
    assert_eq!(msg(&h.put(HOST1, &status_only, &m).unwrap()), (401, "unauthorized access".into()));
    let send_only = h.token(Leases::Scoped(vec![Scope::SendManifest]));
    assert_eq!(h.put(HOST1, &send_only, &m).unwrap().status, 200);
    assert_eq!(msg(&h.status(NOW, HOST1, &send_only).unwrap()), (401, "unauthorized access".into()));
    assert_eq!(h.status(NOW, HOST1, &status_only).unwrap().status, 200);

    // Granular: another provider, another deployment, another lease.
    let p2 = h.p2.clone();
    let p1 = h.p1.clone();
    let for_p2 = h.token(h.granular(&p2, DSEQ, vec![Scope::SendManifest, Scope::Status]));
    assert_eq!(msg(&h.put(HOST1, &for_p2, &m).unwrap()), (401, "unauthorized access".into()));
    let other_dseq = h.token(h.granular(&p1, DSEQ + 1, vec![Scope::SendManifest, Scope::Status]));
    assert_eq!(msg(&h.put(HOST1, &other_dseq, &m).unwrap()), (401, "unauthorized access".into()));
    assert_eq!(msg(&h.status(NOW, HOST1, &other_dseq).unwrap()), (401, "unauthorized access".into()));
    let other_lease = h.token(Leases::Granular(vec![ProviderPermission {
        provider: p1.clone(),
        access: ProviderAccess::Granular(vec![DeploymentPermission { dseq: DSEQ, gseq: Some(1), oseq: Some(2), scope: vec![Scope::SendManifest, Scope::Status], services: vec!["web".into()] }]),
    }]));
    // The manifest is per deployment (gseq/oseq not checked), the status per lease.
    assert_eq!(h.put(HOST1, &other_lease, &m).unwrap().status, 200);
    assert_eq!(msg(&h.status(NOW, HOST1, &other_lease).unwrap()), (401, "unauthorized access".into()));
    // Only manifests with an authorizing token are recorded: the owner's, and the stranger's
    // (for its own deployment, which has no lease).
    let recorded: Vec<(bool, u16)> = h.world.manifests(&p1, DSEQ).iter().map(|r| (r.claims.iss == owner, r.status)).collect();
    assert_eq!(recorded, vec![(false, 404), (true, 200), (true, 200)]);

    // Routing.
    let r = h.call(NOW, &h.request(HttpMethod::Get, &format!("{HOST1}/deployment/{DSEQ}/manifest"), Some(&send_only), b"")).unwrap();
    assert_eq!((r.status, r.body.len()), (405, 0));
    let r = h.call(NOW, &h.request(HttpMethod::Get, &format!("{HOST1}/nothing"), None, b"")).unwrap();
    assert_eq!((r.status, body(&r)), (404, "404 page not found\n".into()));
}

#[test]
fn provider_direct_outcalls_need_a_publicly_trusted_certificate() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let m = h.manifest();
    match h.put(HOST2, &t, &m) {
        Err(HttpError::Unreachable { message }) => assert!(message.starts_with("TLS: certificate not trusted"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(h.world.manifests(&h.p2, DSEQ).is_empty(), "nothing was delivered");
    // A replicated PUT is refused, as the IC refuses it.
    let mut r = h.request(HttpMethod::Put, &format!("{HOST1}/deployment/{DSEQ}/manifest"), Some(&t), &m);
    r.replicated = true;
    assert!(matches!(h.call(NOW, &r), Err(HttpError::Rejected { .. })));
    assert!(matches!(h.call(NOW, &h.request(HttpMethod::Get, "https://nowhere.test/status", None, b"")), Err(HttpError::Unreachable { .. })));
    assert!(h.world.handles(&format!("{HOST1}/status")) && h.world.handles(&format!("{PROXY}/")) && !h.world.handles("https://nowhere.test/"));
}

#[test]
fn proxy_relays_to_self_signed_providers_registered_on_chain() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let m = String::from_utf8(h.manifest()).unwrap();
    let p2 = h.p2.clone();
    let url = format!("{HOST2}/deployment/{DSEQ}/manifest");
    let r = h.proxied(NOW, "PUT", &url, &p2, &t, Some(&m), Some(10_000)).unwrap();
    assert_eq!((r.status, body(&r)), (200, String::new()));
    let got = h.world.manifests(&p2, DSEQ);
    assert_eq!((got.len(), got[0].via_proxy, got[0].status), (1, true, 200));
    // Status through the proxy (GET, no body), relayed as is.
    let r = h.proxied(NOW + 60 * NANOS_PER_SEC, "GET", &format!("{HOST2}/lease/{DSEQ}/1/1/status"), &p2, &t, None, None).unwrap();
    assert_eq!(json(&r)["services"]["web"]["ready_replicas"], 2);
    // Provider errors are relayed too (422 hash mismatch).
    let r = h.proxied(NOW, "PUT", &url, &p2, &t, Some(&m.replace("nginx", "httpd")), None).unwrap();
    assert_eq!((r.status, body(&r)), (422, "manifest version validation failed\n".into()));
    // A publicly trusted provider works through the proxy as well.
    let p1 = h.p1.clone();
    let r = h.proxied(NOW, "GET", &format!("{HOST1}/version"), &p1, &t, None, None).unwrap();
    assert_eq!(r.status, 200);
    // The log: envelope and the proxy's leg.
    let hops: Vec<Hop> = h.world.log().iter().take(2).map(|e| e.hop).collect();
    assert_eq!(hops, vec![Hop::ProxyToProvider { attempt: 1 }, Hop::ProxyEnvelope]);
}

#[test]
fn proxy_answers_495_for_a_certificate_not_on_chain_after_delivering() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let m = String::from_utf8(h.manifest()).unwrap();
    let (p1, p2) = (h.p1.clone(), h.p2.clone());
    h.world.set_certificate(&p2, Certificate::NotOnChain);
    let url = format!("{HOST2}/deployment/{DSEQ}/manifest");
    let r = h.proxied(NOW, "PUT", &url, &p2, &t, Some(&m), None).unwrap();
    assert_eq!((r.status, body(&r)), (495, "Invalid certificate error: unknownCertificate".into()));
    // The certificate is checked on the response: the provider took the manifest, once.
    assert_eq!(h.world.manifests(&p2, DSEQ).len(), 1);
    assert!(h.world.deployed(&p2, &addr(&h.owner), DSEQ).is_some());
    // Direct: refused at TLS.
    assert!(matches!(h.put(HOST2, &t, m.as_bytes()), Err(HttpError::Unreachable { .. })));
    // A registered certificate, but of another provider than providerAddress: 495 too.
    h.world.set_certificate(&p2, Certificate::SelfSignedOnChain);
    let r = h.proxied(NOW, "GET", &format!("{HOST2}/status"), &p1, &t, None, None).unwrap();
    assert_eq!(r.status, 495);
}

#[test]
fn proxy_validates_the_envelope() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let p1 = h.p1.clone();
    let path = |r: &HttpResponse| json(r)["error"]["issues"][0]["path"].clone();
    let r = h.proxied(NOW, "GET", "http://provider-1.test:8443/status", &p1, &t, None, None).unwrap();
    assert_eq!((r.status, path(&r)), (400, serde_json::json!(["url"])));
    let r = h.proxied(NOW, "GET", "https://10.0.0.1:8443/status", &p1, &t, None, None).unwrap();
    assert_eq!(r.status, 400);
    let r = h.proxied(NOW, "PATCH", &format!("{HOST1}/status"), &p1, &t, None, None).unwrap();
    assert_eq!((r.status, path(&r)), (400, serde_json::json!(["method"])));
    let r = h.proxied(NOW, "GET", &format!("{HOST1}/status"), "akash1nope", &t, None, None).unwrap();
    assert_eq!((r.status, path(&r)), (400, serde_json::json!(["providerAddress"])));
    let r = h.proxied(NOW, "GET", &format!("{HOST1}/status"), &p1, "x.y.z", None, None).unwrap();
    assert_eq!((r.status, path(&r)), (400, serde_json::json!(["auth", "token"])));
    let r = h.call(NOW, &h.request(HttpMethod::Get, &format!("{PROXY}/"), None, b"")).unwrap();
    assert_eq!(r.status, 404);
    // An unknown host: 503.
    let r = h.proxied(NOW, "GET", "https://nowhere.test:8443/status", &p1, &t, None, None).unwrap();
    assert_eq!((r.status, body(&r)), (503, "Provider https://nowhere.test:8443 is temporarily unavailable".into()));
}

#[test]
fn slow_provider_times_out_callers_but_acts() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let m = h.manifest();
    let owner = addr(&h.owner);
    let (p1, p2) = (h.p1.clone(), h.p2.clone());
    h.world.set_behaviour(&p1, Behaviour::Slow { answer_secs: 45 });
    match h.put(HOST1, &t, &m) {
        Err(HttpError::Unreachable { message }) => assert!(message.contains("delivered"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(h.world.deployed(&p1, &owner, DSEQ).is_some(), "the manifest was applied");
    // Within the outcall timeout: answered.
    h.world.set_behaviour(&p1, Behaviour::Slow { answer_secs: 5 });
    assert_eq!(h.put(HOST1, &t, &m).unwrap().status, 200);

    // Through the proxy with a 2 s per-attempt timeout: 4 attempts (each delivered), then 503.
    h.world.set_behaviour(&p2, Behaviour::Slow { answer_secs: 5 });
    h.world.clear_log();
    let ms = String::from_utf8(m.clone()).unwrap();
    let r = h.proxied(NOW, "PUT", &format!("{HOST2}/deployment/{DSEQ}/manifest"), &p2, &t, Some(&ms), Some(2_000)).unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(h.world.manifests(&p2, DSEQ).len(), 4);
    let attempts = h.world.log().iter().filter(|e| matches!(e.hop, Hop::ProxyToProvider { .. })).count();
    assert_eq!(attempts, 4);
    // Without a timeout the proxy waits: 5 s is answered.
    let r = h.proxied(NOW, "GET", &format!("{HOST2}/status"), &p2, &t, None, None).unwrap();
    assert_eq!(r.status, 200);
    // With 9 s attempts the proxy's 4 tries outlast the outcall.
    h.world.set_behaviour(&p2, Behaviour::Slow { answer_secs: 20 });
    assert!(matches!(h.proxied(NOW, "GET", &format!("{HOST2}/status"), &p2, &t, None, Some(9_000)), Err(HttpError::Unreachable { .. })));
}

#[test]
fn rejecting_provider_through_both_paths() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let m = h.manifest();
    let ms = String::from_utf8(m.clone()).unwrap();
    let (p1, p2) = (h.p1.clone(), h.p2.clone());
    let cross = "manifest cross-validation error: group dcloud: service web: resources mismatch\n".to_string();
    h.world.set_behaviour(&p1, Behaviour::RejectsManifests { status: 422, body: cross.clone() });
    let r = h.put(HOST1, &t, &m).unwrap();
    assert_eq!((r.status, body(&r)), (422, cross.clone()));
    assert!(h.world.deployed(&p1, &addr(&h.owner), DSEQ).is_none());
    // Through the proxy: a 422 is relayed.
    h.world.set_behaviour(&p2, Behaviour::RejectsManifests { status: 422, body: cross.clone() });
    let url = format!("{HOST2}/deployment/{DSEQ}/manifest");
    assert_eq!(h.proxied(NOW, "PUT", &url, &p2, &t, Some(&ms), None).unwrap().status, 422);
    // A 500: tried 4 times; a validation message becomes 400 with the body, else 503.
    h.world.set_behaviour(&p2, Behaviour::RejectsManifests { status: 500, body: cross.clone() });
    let before = h.world.manifests(&p2, DSEQ).len();
    let r = h.proxied(NOW, "PUT", &url, &p2, &t, Some(&ms), None).unwrap();
    assert_eq!((r.status, body(&r)), (400, cross));
    assert_eq!(h.world.manifests(&p2, DSEQ).len() - before, 4);
    h.world.set_behaviour(&p2, Behaviour::RejectsManifests { status: 500, body: "kube: internal error\n".into() });
    let r = h.proxied(NOW, "PUT", &url, &p2, &t, Some(&ms), None).unwrap();
    assert_eq!(r.status, 503);
    // Direct, the 500 itself.
    h.world.set_behaviour(&p1, Behaviour::RejectsManifests { status: 500, body: "boom\n".into() });
    assert_eq!(h.put(HOST1, &t, &m).unwrap().status, 500);
}

#[test]
fn vanishing_provider_accepts_then_stops_answering() {
    let mut h = H::new();
    let t = h.token(Leases::Full);
    let m = h.manifest();
    let ms = String::from_utf8(m.clone()).unwrap();
    let (p1, p2) = (h.p1.clone(), h.p2.clone());
    h.world.set_behaviour(&p1, Behaviour::Vanishes);
    assert!(h.world.vanished_providers().is_empty());
    assert_eq!(h.put(HOST1, &t, &m).unwrap().status, 200);
    assert!(h.world.vanished(&p1));
    assert!(matches!(h.status(NOW, HOST1, &t), Err(HttpError::Unreachable { .. })));
    assert!(matches!(h.call(NOW, &h.request(HttpMethod::Get, &format!("{HOST1}/status"), None, b"")), Err(HttpError::Unreachable { .. })));
    // Through the proxy: accepted, then 503 after 4 refused connections.
    h.world.set_behaviour(&p2, Behaviour::Vanishes);
    let url = format!("{HOST2}/deployment/{DSEQ}/manifest");
    assert_eq!(h.proxied(NOW, "PUT", &url, &p2, &t, Some(&ms), None).unwrap().status, 200);
    h.world.clear_log();
    let r = h.proxied(NOW, "GET", &format!("{HOST2}/lease/{DSEQ}/1/1/status"), &p2, &t, None, None).unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(h.world.log().len(), 5);
    assert_eq!(h.world.vanished_providers(), vec![p1, p2]);
}

#[test]
fn provider_world_serves_the_fake_runtime() {
    use crate::runtime::fake::{block_on, FakeRuntime};
    use crate::runtime::Runtime;
    let h = H::new();
    let t = h.token(Leases::Full);
    let put = h.request(HttpMethod::Put, &format!("{HOST1}/deployment/{DSEQ}/manifest"), Some(&t), &h.manifest());
    let status = h.request(HttpMethod::Get, &format!("{HOST1}/lease/{DSEQ}/1/1/status"), Some(&t), b"");
    let (p1, owner) = (h.p1.clone(), addr(&h.owner));
    let world = Rc::new(RefCell::new(h.world));
    let rt = FakeRuntime::new();
    rt.set_http_service(world.clone());
    let r = block_on(rt.http_request(put, 1 << 40)).unwrap();
    assert_eq!(r.status, 200);
    // A replicated GET reaches the provider once per replica.
    world.borrow_mut().clear_log();
    let r = block_on(rt.http_request(status, 1 << 40)).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(world.borrow().log().len(), crate::runtime::fake::FAKE_REPLICAS);
    assert_eq!(world.borrow().manifests(&p1, DSEQ)[0].owner, owner);
}
