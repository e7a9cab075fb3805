//! ICRC-21 consent messages and ICRC-10, as a wallet meets them: candid-encoded calls in, the
//! message a signer shows out (Markdown or typed fields), typed errors for calls the canister
//! would refuse, and an interface that is a subtype of the standard's.

mod support;

use candid::{Encode, Principal};
use ic_akash_orchestrator::deployments;
use ic_akash_orchestrator::icrc21::{self, consent_message, MAX_CONSENT_ARG_BYTES};
use ic_akash_orchestrator::runtime::fake::block_on;
use ic_akash_orchestrator_types::{
    CreateDeploymentArg, DepositIcpArg, GetProviderTokenArg, Icrc21ConsentMessage, Icrc21ConsentMessageMetadata, Icrc21ConsentMessageRequest,
    Icrc21ConsentMessageSpec, Icrc21DeviceSpec, Icrc21Error, Icrc21Value, MintActArg, NotifyDepositArg, SetOwnerGovernanceArg, TopUpDeploymentArg,
    UpdateDeploymentArg, WithdrawArg,
};
use support::{dest, user, Env};

fn web_sdl() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/web.yaml")).unwrap()
}

fn request(method: &str, arg: Vec<u8>, device: Option<Icrc21DeviceSpec>) -> Icrc21ConsentMessageRequest {
    Icrc21ConsentMessageRequest {
        method: method.into(),
        arg,
        user_preferences: Icrc21ConsentMessageSpec {
            metadata: Icrc21ConsentMessageMetadata { language: "en".into(), utc_offset_minutes: Some(120) },
            device_spec: device,
        },
    }
}

/// The Markdown message for `method(arg)` as `caller` would call it.
fn markdown(env: &Env, caller: Principal, method: &str, arg: Vec<u8>) -> String {
    let info = consent_message(&env.o, caller, request(method, arg, Some(Icrc21DeviceSpec::GenericDisplay))).unwrap();
    assert_eq!(info.metadata, Icrc21ConsentMessageMetadata { language: "en".into(), utc_offset_minutes: None });
    match info.consent_message {
        Icrc21ConsentMessage::GenericDisplayMessage(m) => m,
        m => panic!("asked for a generic display, got {m:?}"),
    }
}

/// The fields message for `method(arg)`.
fn fields(env: &Env, caller: Principal, method: &str, arg: Vec<u8>) -> (String, Vec<(String, Icrc21Value)>) {
    match consent_message(&env.o, caller, request(method, arg, Some(Icrc21DeviceSpec::FieldsDisplay))).unwrap().consent_message {
        Icrc21ConsentMessage::FieldsDisplayMessage { intent, fields } => (intent, fields),
        m => panic!("asked for a fields display, got {m:?}"),
    }
}

fn field<'a>(fields: &'a [(String, Icrc21Value)], label: &str) -> &'a Icrc21Value {
    &fields.iter().find(|(l, _)| l == label).unwrap_or_else(|| panic!("no field {label:?} in {fields:?}")).1
}

fn contains_all(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "{p:?} not in:\n{text}");
    }
}

/// An owner with AKT and a deployment waiting for its ACT (no chain needed for the messages).
fn env_with_deployment() -> (Env, Principal, u64) {
    let env = Env::new();
    let owner = user(1);
    env.credit_akt(owner, 20);
    let arg = CreateDeploymentArg { sdl: web_sdl(), deposit_uact: 5_000_000, mint_uakt: Some(6_000_000), ..Default::default() };
    let id = block_on(deployments::create_deployment(&env.o, owner, arg)).unwrap();
    (env, owner, id)
}

#[test]
fn every_state_changing_call_gets_the_message_its_validator_renders() {
    let (env, owner, id) = env_with_deployment();
    let create = CreateDeploymentArg { sdl: web_sdl(), deposit_uact: 2_000_000, mint_uakt: Some(3_000_000), ..Default::default() };
    let md = markdown(&env, owner, "create_deployment", Encode!(&create).unwrap());
    contains_all(&md, &[
        "## Create an Akash deployment",
        &format!("**Owner:** `{}`", owner.to_text()),
        "image nginx:1.27; 1 × 0.5 CPU, 512 MiB memory, 1 GiB storage; port 80 as 80/TCP to the internet",
        "**Maximum per 30 days:** 432 ACT (432000000 uact)",
        "**Deposit:** 2 ACT (2000000 uact)",
        "**Runway at the maximum price:** 3 h 20 min",
        "**AKT burned for ACT first:** 3 AKT (3000000 uakt)",
    ]);
    // The validator's text for the same request (as its owner would validate it) is this message.
    assert_eq!(ic_akash_orchestrator::proposals::validate_create_deployment(&env.o, owner, create.clone()), Ok(md));

    let cases: Vec<(&str, Vec<u8>, Vec<String>)> = vec![
        (
            "deposit_icp",
            Encode!(&DepositIcpArg { amount_e8s: 250_000_000, beneficiary: None, from_subaccount: None }).unwrap(),
            vec!["## Pay ICP for AKT".into(), "**Amount:** 2.5 ICP (250000000 e8s)".into(), "**Conversion fee:** 1%".into()],
        ),
        (
            "notify_deposit",
            Encode!(&NotifyDepositArg { block_index: 77, beneficiary: Some(user(5)) }).unwrap(),
            vec!["**Ledger block:** 77".into(), format!("**Credited to:** `{}`", user(5).to_text())],
        ),
        (
            "top_up_deployment",
            Encode!(&TopUpDeploymentArg { deployment_id: id, amount_uact: 1_250_000 }).unwrap(),
            vec![format!("**Deployment:** {id}"), "**State:** ".into(), "**Amount:** 1.25 ACT (1250000 uact)".into()],
        ),
        (
            "update_deployment",
            Encode!(&UpdateDeploymentArg { deployment_id: id, sdl: web_sdl().replace("nginx:1.27", "nginx:1.28") }).unwrap(),
            vec!["## Update an Akash deployment".into(), "**Service web:** image nginx:1.27 → nginx:1.28".into()],
        ),
        ("close_deployment", Encode!(&id).unwrap(), vec!["## Close an Akash deployment".into(), format!("**Deployment:** {id}")]),
        (
            "get_provider_token",
            Encode!(&GetProviderTokenArg { deployment_id: id, scopes: vec!["logs".into(), "shell".into()], ttl_secs: Some(600) }).unwrap(),
            vec!["**Scopes:** logs, shell".into(), "**Valid for:** 10 min".into(), "**Service fee (kept):** 0.05 AKT".into()],
        ),
        (
            "withdraw",
            Encode!(&WithdrawArg { amount_uakt: 7_000_000, to_akash_address: dest(4), owner: None }).unwrap(),
            vec!["**Amount:** 7 AKT (7000000 uakt)".into(), format!("**To:** `{}`", dest(4))],
        ),
        (
            "mint_act",
            Encode!(&MintActArg { amount_uakt: 3_000_000, owner: None }).unwrap(),
            vec!["## Burn AKT for ACT".into(), "**AKT burned:** 3 AKT (3000000 uakt)".into()],
        ),
        ("open_akash_account", Encode!().unwrap(), vec!["## Open your Akash account".into()]),
        (
            "set_owner_governance",
            Encode!(&SetOwnerGovernanceArg { owner, governance: Some(user(9)) }).unwrap(),
            vec!["**Governance now:** none".into(), format!("**Governance after:** `{}`", user(9).to_text())],
        ),
    ];
    for (method, arg, expected) in cases {
        let md = markdown(&env, owner, method, arg.clone());
        contains_all(&md, &expected.iter().map(String::as_str).collect::<Vec<_>>());
        // The fields form: the same facts, plain text, amounts typed.
        let (intent, f) = fields(&env, owner, method, arg);
        assert!(md.starts_with(&format!("## {intent}")), "{method}: {intent} vs {md}");
        assert!(!f.is_empty());
        for (label, value) in &f {
            assert!(!label.contains("**") && !label.contains('`') && !label.contains('\\'), "{method}: markup in {label:?}");
            if let Icrc21Value::Text { content } = value {
                assert!(!content.starts_with('`') && !content.contains("\\_"), "{method}: markup in {content:?}");
            }
        }
    }
    let (_, f) = fields(&env, owner, "withdraw", Encode!(&WithdrawArg { amount_uakt: 7_000_000, to_akash_address: dest(4), owner: None }).unwrap());
    assert_eq!(field(&f, "Amount"), &Icrc21Value::TokenAmount { decimals: 6, amount: 7_000_000, symbol: "AKT".into() });
    assert_eq!(field(&f, "To"), &Icrc21Value::Text { content: dest(4) });
    let (_, f) = fields(&env, owner, "create_deployment", Encode!(&create).unwrap());
    assert_eq!(field(&f, "Runway at the maximum price"), &Icrc21Value::DurationSeconds { amount: 12_000 });
    assert_eq!(field(&f, "Deposit"), &Icrc21Value::TokenAmount { decimals: 6, amount: 2_000_000, symbol: "ACT".into() });
    // No device given: the generic display.
    let info = consent_message(&env.o, owner, request("mint_act", Encode!(&MintActArg { amount_uakt: 3_000_000, owner: None }).unwrap(), None)).unwrap();
    assert!(matches!(info.consent_message, Icrc21ConsentMessage::GenericDisplayMessage(_)));
}

#[test]
fn a_deployment_is_described_only_to_those_who_may_see_it() {
    let (env, owner, id) = env_with_deployment();
    let arg = Encode!(&id).unwrap();
    let mine = markdown(&env, owner, "close_deployment", arg.clone());
    contains_all(&mine, &[&format!("**Owner:** `{}`", owner.to_text()), "**State:** "]);
    for other in [Principal::anonymous(), user(2)] {
        let theirs = markdown(&env, other, "close_deployment", arg.clone());
        assert!(theirs.contains(&format!("**Deployment:** {id}")));
        assert!(!theirs.contains("**State:**") && !theirs.contains(&owner.to_text()), "{theirs}");
    }
    // Anonymous callers (cold signers) get messages: for them the owner is "the caller".
    let md = markdown(&env, Principal::anonymous(), "mint_act", Encode!(&MintActArg { amount_uakt: 3_000_000, owner: None }).unwrap());
    assert!(md.contains("**Owner:** the caller"), "{md}");
}

#[test]
fn calls_the_canister_would_refuse_get_typed_errors() {
    let env = Env::new();
    let me = user(1);
    let err = |method: &str, arg: Vec<u8>| consent_message(&env.o, me, request(method, arg, None)).unwrap_err();
    let description = |e: Icrc21Error| match e {
        Icrc21Error::UnsupportedCanisterCall(i) | Icrc21Error::ConsentMessageUnavailable(i) => i.description,
        e => panic!("{e:?}"),
    };
    assert!(matches!(err("drain_everything", Encode!().unwrap()), Icrc21Error::UnsupportedCanisterCall(_)));
    for quiet in ["get_balance", "quote", "set_config", "validate_withdraw"] {
        assert!(matches!(err(quiet, Encode!().unwrap()), Icrc21Error::ConsentMessageUnavailable(_)), "{quiet}");
    }
    // Garbage, and a well-formed argument of another method.
    let e = err("withdraw", b"not candid at all".to_vec());
    assert!(matches!(e, Icrc21Error::UnsupportedCanisterCall(_)));
    assert!(description(e).contains("not a withdraw argument"));
    let e = err("create_deployment", Encode!(&MintActArg { amount_uakt: 1, owner: None }).unwrap());
    assert!(matches!(e, Icrc21Error::UnsupportedCanisterCall(_)), "{e:?}");
    assert!(matches!(err("open_akash_account", b"DIDL".to_vec()), Icrc21Error::UnsupportedCanisterCall(_)));
    // Too large to be any call's argument: refused before decoding.
    let e = err("create_deployment", vec![0u8; MAX_CONSENT_ARG_BYTES + 1]);
    assert!(description(e).contains("more than the"));
    // Arguments the method itself refuses: invalid SDL (with its path), bad address, bad amount.
    let bad = CreateDeploymentArg { sdl: web_sdl().replace("units: 0.5", "units: -1"), deposit_uact: 1_000_000, ..Default::default() };
    let e = description(err("create_deployment", Encode!(&bad).unwrap()));
    assert!(e.contains("invalid SDL at \"/profiles/compute/web/resources/cpu"), "{e}");
    let w = WithdrawArg { amount_uakt: 7_000_000, to_akash_address: "akash1nope".into(), owner: None };
    assert!(description(err("withdraw", Encode!(&w).unwrap())).contains("to_akash_address"));
    let small = CreateDeploymentArg { sdl: web_sdl(), deposit_uact: 1, ..Default::default() };
    assert!(description(err("create_deployment", Encode!(&small).unwrap())).contains("deposit_uact"));
}

#[test]
fn icrc10_lists_icrc10_and_icrc21() {
    let standards: Vec<(String, String)> = icrc21::supported_standards().into_iter().map(|s| (s.name, s.url)).collect();
    assert_eq!(standards, vec![
        ("ICRC-10".to_string(), "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-10/ICRC-10.md".to_string()),
        ("ICRC-21".to_string(), "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-21/ICRC-21.md".to_string()),
    ]);
}

/// The two methods as the ICRC-21 standard (wg-identity-authentication `ICRC-21.did`, with the
/// typed field values) declares them.
const ICRC21_SERVICE: &str = r#"
type metadata = record { language : text; utc_offset_minutes : opt int16 };
type request = record {
  method : text;
  arg : blob;
  user_preferences : record { metadata : metadata; device_spec : opt variant { GenericDisplay; FieldsDisplay } };
};
type value = variant {
  TokenAmount : record { decimals : nat8; amount : nat64; symbol : text };
  TimestampSeconds : record { amount : nat64 };
  DurationSeconds : record { amount : nat64 };
  Text : record { content : text };
};
type message = variant {
  GenericDisplayMessage : text;
  FieldsDisplayMessage : record { intent : text; fields : vec record { text; value } };
};
type error_info = record { description : text };
type error = variant {
  UnsupportedCanisterCall : error_info;
  ConsentMessageUnavailable : error_info;
  InsufficientPayment : error_info;
  GenericError : record { error_code : nat; description : text };
};
service : {
  icrc21_canister_call_consent_message : (request) -> (variant { Ok : record { consent_message : message; metadata : metadata }; Err : error });
  icrc10_supported_standards : () -> (vec record { name : text; url : text }) query;
}
"#;

#[test]
fn the_interface_is_what_icrc21_and_icrc10_declare() {
    let ours = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../candid/orchestrator.did")).unwrap();
    // Only the two methods: the rest of our service is not the standard's business.
    let ours = ours.replace("service : (opt OrchestratorArg) -> {", "service : {");
    candid_parser::utils::service_compatible(candid_parser::utils::CandidSource::Text(&ours), candid_parser::utils::CandidSource::Text(ICRC21_SERVICE))
        .unwrap_or_else(|e| panic!("not a subtype of the ICRC-21 interface: {e}"));
}
