//! Provider JWTs made by `ic_akash::jwt` checked by the reference: the SDK's `JwtValidator`
//! (AEP-64 schema), cosmjs secp256k1 verification (with low-S) and cosmjs address derivation for
//! `iss`. Tokens the reference must refuse are included, so the test fails if the script stops
//! checking; and our own `verify` must agree with the reference on every case.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ic_akash::jwt::{
    self, Claims, DeploymentPermission, Leases, ProviderAccess, ProviderPermission, Scope,
};
use ic_akash::signer::{now_or_never, sign_checked, LocalSigner, Signer};
use serde_json::{json, Value};

const NOW: u64 = 1_760_000_000;

fn key() -> LocalSigner {
    LocalSigner::from_hex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318").unwrap()
}

/// Signs arbitrary header/payload JSON text as a token, bypassing claims validation: how the
/// negative cases are made.
fn raw_token(signer: &LocalSigner, header: &str, payload: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(jwt::canonical_json(payload))
    );
    let sig = now_or_never(sign_checked(signer, jwt::digest(&input))).unwrap().unwrap();
    jwt::assemble(&input, &sig)
}

fn sign(signer: &LocalSigner, c: &Claims) -> String {
    now_or_never(jwt::sign(signer, c)).unwrap().unwrap()
}

#[test]
fn jwts_conform_to_the_sdk_and_cosmjs() {
    let signer = key();
    let other = LocalSigner::from_hex(&"22".repeat(32)).unwrap();
    let pk = hex::encode(signer.public_key().0);
    let other_pk = hex::encode(other.public_key().0);

    // Phase 1: the reference derives the addresses, so `iss` does not depend on our own code.
    let out = common::run_node("jwt-check.mjs", &json!({ "now": NOW, "addresses_for": [pk, other_pk] }));
    let iss = out["addresses"][&pk].as_str().unwrap().to_string();
    let other_iss = out["addresses"][&other_pk].as_str().unwrap().to_string();
    assert!(iss.starts_with("akash1") && iss.len() == 44, "{iss}");

    // Providers: real-looking addresses (any akash1 + 38 alphanumerics passes the schema).
    let prov_a = other_iss.clone();
    let prov_b = "akash1q7spgv8fzl3qx9rxmhdq0xuyd9qtu5cs7y9r6v".to_string();
    let prov_c = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc".to_string();

    let full = Claims::new(iss.clone(), NOW - 10, 900, Leases::Full);
    let scoped = Claims {
        jti: Some("3f2c0a6e-1b7d-4f0e-9c55-7a1d2e4b8c90".into()),
        ..Claims::new(iss.clone(), NOW, 900, Leases::Scoped(vec![Scope::SendManifest, Scope::Status, Scope::Logs]))
    };
    let granular = Claims::new(
        iss.clone(),
        NOW - 60,
        3600,
        Leases::Granular(vec![
            ProviderPermission {
                provider: prov_a.clone(),
                access: ProviderAccess::Granular(vec![
                    DeploymentPermission {
                        dseq: 21_843_219,
                        gseq: Some(1),
                        oseq: Some(1),
                        scope: vec![Scope::SendManifest, Scope::GetManifest, Scope::Status],
                        services: vec!["web".into(), "db".into()],
                    },
                    DeploymentPermission {
                        dseq: 21_843_300,
                        gseq: None,
                        oseq: None,
                        scope: vec![Scope::Logs, Scope::Shell, Scope::Events, Scope::Restart],
                        services: vec!["api".into()],
                    },
                ]),
            },
            ProviderPermission { provider: prov_b.clone(), access: ProviderAccess::Full },
            ProviderPermission {
                provider: prov_c.clone(),
                access: ProviderAccess::Scoped(vec![Scope::HostnameMigrate, Scope::IpMigrate]),
            },
        ]),
    );

    let mut cases: Vec<(&str, String, String, bool)> = vec![
        ("full", sign(&signer, &full), pk.clone(), true),
        ("scoped", sign(&signer, &scoped), pk.clone(), true),
        ("granular", sign(&signer, &granular), pk.clone(), true),
    ];

    // Negative cases: each must be refused by the reference AND by our verify.
    let good = sign(&signer, &full);
    let (h, rest) = good.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let longer = Claims { exp: full.exp + 3600, ..full.clone() };
    let longer_payload = jwt::signing_input(&longer).split_once('.').unwrap().1.to_string();
    cases.push(("tampered-payload", format!("{h}.{longer_payload}.{sig}"), pk.clone(), false));
    cases.push(("wrong-key", good.clone(), other_pk.clone(), false));
    let expired = Claims::new(iss.clone(), NOW - 2000, 900, Leases::Full);
    cases.push(("expired", sign(&signer, &expired), pk.clone(), false));
    let future = Claims::new(iss.clone(), NOW + 600, 900, Leases::Full);
    cases.push(("not-yet-valid", sign(&signer, &future), pk.clone(), false));
    // Signed by `signer` but claiming another account.
    cases.push(("iss-not-signer", sign(&signer, &Claims::new(other_iss.clone(), NOW, 900, Leases::Full)), pk.clone(), false));

    let hdr = jwt::HEADER_JSON;
    let mut bad = |name: &'static str, f: &dyn Fn(&mut Value)| {
        let mut v = granular.to_json();
        f(&mut v);
        cases.push((name, raw_token(&signer, hdr, &v), pk.clone(), false));
    };
    let dep = "/leases/permissions/0/deployments/0";
    bad("dseq-as-string", &|v| *v.pointer_mut(&format!("{dep}/dseq")).unwrap() = json!("21843219"));
    bad("dseq-zero", &|v| *v.pointer_mut(&format!("{dep}/dseq")).unwrap() = json!(0));
    bad("services-missing", &|v| {
        v.pointer_mut(dep).unwrap().as_object_mut().unwrap().remove("services");
    });
    bad("unknown-scope", &|v| *v.pointer_mut(&format!("{dep}/scope/0")).unwrap() = json!("admin"));
    bad("duplicate-scope", &|v| *v.pointer_mut(&format!("{dep}/scope/1")).unwrap() = json!("send-manifest"));
    bad("duplicate-provider", &|v| {
        let p = v.pointer("/leases/permissions/1").unwrap().clone();
        v["leases"]["permissions"].as_array_mut().unwrap().push(p);
    });
    bad("unknown-claim", &|v| v["admin"] = json!(true));
    bad("version-v2", &|v| v["version"] = json!("v2"));
    bad("scoped-empty-scope", &|v| v["leases"] = json!({"access": "scoped", "scope": []}));
    bad("full-with-permissions", &|v| {
        let p = v["leases"]["permissions"].clone();
        v["leases"] = json!({"access": "full", "permissions": p});
    });
    bad("iss-malformed", &|v| v["iss"] = json!("akash1short"));
    bad("oseq-without-gseq", &|v| {
        v.pointer_mut(dep).unwrap().as_object_mut().unwrap().remove("gseq");
    });

    // Valid claims, but an ADR-36 header: the provider would verify a different document.
    cases.push(("alg-es256kadr36", raw_token(&signer, r#"{"alg":"ES256KADR36","typ":"JWT"}"#, &full.to_json()), pk.clone(), false));
    // The same signature in its high-S form.
    {
        use k256::ecdsa::Signature;
        let (input, sig) = good.rsplit_once('.').unwrap();
        let s = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
        let high = Signature::from_scalars(s.r().to_bytes(), (-*s.s()).to_bytes()).unwrap();
        let high: [u8; 64] = high.to_bytes().into();
        cases.push(("high-s", jwt::assemble(input, &high), pk.clone(), false));
    }

    let input = json!({
        "now": NOW,
        "cases": cases.iter().map(|(n, t, k, _)| json!({"name": n, "token": t, "pubkey": k})).collect::<Vec<_>>(),
    });
    let out = common::run_node("jwt-check.mjs", &input);
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), cases.len());
    let mut failures = Vec::new();
    for ((name, token, pubkey, expect), r) in cases.iter().zip(results) {
        assert_eq!(r["name"], *name);
        let reference_ok = r["valid"].as_bool().unwrap();
        if reference_ok != *expect {
            failures.push(format!("{name}: reference says valid={reference_ok}, expected {expect}: {r}"));
        }
        // Our verify (plus the clock check) must agree with the reference.
        let pk = ic_akash::signer::PublicKey::from_sec1(&hex::decode(pubkey).unwrap()).unwrap();
        let ours = jwt::verify(token, &pk).and_then(|c| c.check_time(NOW).map(|_| c));
        // iss is checked against the key by the reference; ours checks it against the address
        // the reference derived.
        let ours_ok = matches!(&ours, Ok(c) if c.iss == out_addr(&pk, &iss, &other_iss, &signer, &other));
        if ours_ok != *expect {
            failures.push(format!("{name}: ic_akash::jwt::verify gave {ours:?}, expected valid={expect}"));
        }
        if *expect {
            // Every positive check is reported true, including the canonical JSON form.
            for (k, v) in r["checks"].as_object().unwrap() {
                if k != "sdk_string_path" {
                    assert_eq!(v, &json!(true), "{name}: check {k} failed: {r}");
                }
            }
        }
    }
    assert!(failures.is_empty(), "conformance failures:\n{}", failures.join("\n"));
}

/// The address the reference derived for `pk` (only the two test keys occur).
fn out_addr(pk: &ic_akash::signer::PublicKey, iss: &str, other_iss: &str, a: &LocalSigner, b: &LocalSigner) -> String {
    if *pk == a.public_key() {
        iss.to_string()
    } else {
        assert_eq!(*pk, b.public_key());
        other_iss.to_string()
    }
}
