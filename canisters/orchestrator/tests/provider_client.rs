//! The provider client against simulated providers and the Akash Console proxy: the manifest
//! upload and lease status with a granular JWT signed by the owner's threshold-ECDSA key, direct
//! or through the proxy, and what each certificate and behaviour leads to.

mod support;

use candid::Principal;
use ic_akash_orchestrator::akash::keys::signer_account;
use ic_akash_orchestrator::akash::provider_client::{lease_status, send_manifest, LeaseRef, ProviderError};
use ic_akash_orchestrator::runtime::fake::provider::{
    Behaviour, Certificate, LeaseInfo, LeaseState, LeaseView, ProviderSpec, ProviderWorld,
};
use ic_akash_orchestrator::runtime::fake::{block_on, Method};
use ic_akash_orchestrator::storage::SignerId;
use ic_akash_orchestrator_types::ConfigArg;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use support::{dest, user, Env};

const PROXY: &str = "https://proxy.test";
const DSEQ: u64 = 4242;

/// The chain as the providers see it: the owner's key and one active lease per provider.
#[derive(Default)]
struct Chain {
    keys: BTreeMap<String, [u8; 33]>,
    leases: Vec<(String, String, LeaseInfo)>,
}

impl LeaseView for Chain {
    fn account_pubkey(&self, address: &str) -> Option<[u8; 33]> {
        self.keys.get(address).copied()
    }
    fn deployment_leases(&self, owner: &str, dseq: u64, provider: &str) -> Vec<LeaseInfo> {
        let _ = dseq;
        self.leases.iter().filter(|(o, p, _)| o == owner && p == provider).map(|(_, _, l)| l.clone()).collect()
    }
}

struct World {
    env: Env,
    providers: Rc<RefCell<ProviderWorld>>,
    sdl: ic_akash::sdl::Sdl,
    owner: Principal,
    owner_address: String,
}

fn world(proxy: bool, specs: Vec<ProviderSpec>) -> World {
    let config = ConfigArg { provider_proxy_url: Some(if proxy { PROXY.into() } else { String::new() }), ..Default::default() };
    let env = Env::with(config);
    let owner = user(1);
    let acc = block_on(signer_account(&env.o, SignerId::Owner(owner))).unwrap();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap();
    let sdl = ic_akash::sdl::parse(&text).unwrap();
    let mut chain = Chain::default();
    chain.keys.insert(acc.address.clone(), acc.public_key.clone().try_into().unwrap());
    for s in &specs {
        let info = LeaseInfo {
            gseq: 1,
            oseq: 1,
            group_name: sdl.group_specs()[0].name.clone(),
            state: LeaseState::Active,
            deployment_hash: sdl.version(),
        };
        chain.leases.push((acc.address.clone(), s.address.clone(), info));
    }
    let mut providers = ProviderWorld::new(Rc::new(RefCell::new(chain)), PROXY);
    for s in specs {
        providers.add_provider(s);
    }
    let providers = Rc::new(RefCell::new(providers));
    env.rt.set_http_service(providers.clone());
    World { env, providers, sdl, owner, owner_address: acc.address }
}

fn lease(w: &World, provider: &ProviderSpec) -> LeaseRef {
    let services = w.sdl.manifest()[0]["services"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
    LeaseRef {
        owner: w.owner,
        provider: provider.address.clone(),
        host_uri: provider.host_uri.clone(),
        dseq: DSEQ,
        gseq: 1,
        oseq: 1,
        services,
    }
}

fn spec(n: u8) -> ProviderSpec {
    ProviderSpec::new(dest(100 + n), format!("https://provider-{n}.test:8443")).with_ready_delay_secs(30)
}

#[test]
fn a_manifest_goes_through_the_proxy_and_the_lease_becomes_ready_with_one_signature() {
    let p = spec(1).with_certificate(Certificate::SelfSignedOnChain);
    let w = world(true, vec![p.clone()]);
    let l = lease(&w, &p);
    let signatures = w.env.calls(Method::SignWithEcdsa);
    assert_eq!(block_on(lease_status(&w.env.o, &l)).unwrap(), None, "no manifest yet");
    block_on(send_manifest(&w.env.o, &l, w.sdl.manifest_json())).unwrap();
    let got = w.providers.borrow().manifests(&p.address, DSEQ).iter().map(|m| (m.via_proxy, m.computed_hash)).collect::<Vec<_>>();
    assert_eq!(got, vec![(true, Some(w.sdl.version()))], "the provider got our manifest, via the proxy, with the hash on chain");
    let status = block_on(lease_status(&w.env.o, &l)).unwrap().unwrap();
    assert!(!status.all_ready());
    w.env.rt.advance_secs(31);
    let status = block_on(lease_status(&w.env.o, &l)).unwrap().unwrap();
    assert!(status.all_ready(), "{status:?}");
    assert!(status.services.iter().any(|s| !s.uris.is_empty()), "an HTTP service has a URI");
    assert_eq!(w.env.calls(Method::SignWithEcdsa) - signatures, 1, "one token for the whole set-up");
}

#[test]
fn the_token_is_the_owners_and_covers_only_that_lease() {
    let p = spec(1);
    let w = world(false, vec![p.clone()]);
    block_on(send_manifest(&w.env.o, &lease(&w, &p), w.sdl.manifest_json())).unwrap();
    let providers = w.providers.borrow();
    let m = providers.manifests(&p.address, DSEQ)[0];
    assert!(!m.via_proxy, "publicly trusted: reached directly");
    assert_eq!(m.claims.iss, w.owner_address);
    assert!(m.claims.exp - m.claims.iat <= 600);
    match &m.claims.leases {
        ic_akash::jwt::Leases::Granular(perms) => {
            assert_eq!(perms.len(), 1);
            assert_eq!(perms[0].provider, p.address);
            match &perms[0].access {
                ic_akash::jwt::ProviderAccess::Granular(d) => {
                    assert_eq!((d.len(), d[0].dseq, d[0].gseq, d[0].oseq), (1, DSEQ, Some(1), Some(1)));
                    assert_eq!(d[0].scope, vec![ic_akash::jwt::Scope::SendManifest, ic_akash::jwt::Scope::Status]);
                }
                other => panic!("not granular per deployment: {other:?}"),
            }
        }
        other => panic!("not granular: {other:?}"),
    }
}

#[test]
fn each_certificate_and_behaviour_ends_in_a_clear_error() {
    // Direct to a self-signed provider: the IC's TLS check fails, nothing is delivered.
    let p = spec(1).with_certificate(Certificate::SelfSignedOnChain);
    let w = world(false, vec![p.clone()]);
    let e = block_on(send_manifest(&w.env.o, &lease(&w, &p), w.sdl.manifest_json())).unwrap_err();
    assert!(matches!(e, ProviderError::Unreachable { .. }), "{e:?}");
    assert!(w.providers.borrow().manifests(&p.address, DSEQ).is_empty());

    // Through the proxy to a certificate the chain does not know: 495.
    let p = spec(2).with_certificate(Certificate::NotOnChain);
    let w = world(true, vec![p.clone()]);
    let e = block_on(send_manifest(&w.env.o, &lease(&w, &p), w.sdl.manifest_json())).unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 495, .. }), "{e:?}");

    // A provider that rejects manifests: its status and message.
    let body = "manifest cross-validation error: group not found".to_string();
    let p = spec(3).with_behaviour(Behaviour::RejectsManifests { status: 422, body: body.clone() });
    let w = world(false, vec![p.clone()]);
    let e = block_on(send_manifest(&w.env.o, &lease(&w, &p), w.sdl.manifest_json())).unwrap_err();
    assert_eq!(e, ProviderError::Refused { status: 422, message: body });

    // A manifest that is not the one on chain: 422 from the provider's own hash check.
    let p = spec(4);
    let w = world(false, vec![p.clone()]);
    let other = w.sdl.manifest_json().replacen("\"web\"", "\"web2\"", 1);
    let e = block_on(send_manifest(&w.env.o, &lease(&w, &p), &other)).unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 422, .. }), "{e:?}");

    // A provider that vanishes after accepting: unreachable, directly and through the proxy (503).
    for proxy in [false, true] {
        let p = spec(5).with_behaviour(Behaviour::Vanishes).with_certificate(Certificate::PubliclyTrusted);
        let w = world(proxy, vec![p.clone()]);
        let l = lease(&w, &p);
        block_on(send_manifest(&w.env.o, &l, w.sdl.manifest_json())).unwrap();
        let e = block_on(lease_status(&w.env.o, &l)).unwrap_err();
        let expected = if proxy { matches!(e, ProviderError::Refused { status: 503, .. }) } else { matches!(e, ProviderError::Unreachable { .. }) };
        assert!(expected, "proxy {proxy}: {e:?}");
    }
}
