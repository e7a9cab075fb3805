//! ICRC-21 consent messages, so that a wallet (signer) shows its user what a call will do before
//! signing it, and ICRC-10 (the standards this canister implements).
//!
//! The message is the request rendered by `consent`, the same rendering SNS voters see. It depends
//! on the argument (checked as the target checks it, before any caller-specific check) and, for
//! a deployment, on what the caller may see of it: anonymous callers (cold signers) get the
//! request without the deployment's details.

use crate::canister::Orchestrator;
use crate::consent::{self, Rendering};
use crate::deployments::{self, visible};
use crate::runtime::Runtime;
use crate::state::State;
use crate::withdraw;
use candid::{CandidType, Principal};
use ic_akash_orchestrator_types::{
    CreateDeploymentArg, DepositIcpArg, Error, GetProviderTokenArg, Icrc21ConsentInfo, Icrc21ConsentMessage, Icrc21ConsentMessageMetadata,
    Icrc21ConsentMessageRequest, Icrc21DeviceSpec, Icrc21Error, Icrc21ErrorInfo, MintActArg, NotifyDepositArg, SetOwnerGovernanceArg,
    SupportedStandard, TopUpDeploymentArg, UpdateDeploymentArg, WithdrawArg,
};

pub const ICRC10_URL: &str = "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-10/ICRC-10.md";
pub const ICRC21_URL: &str = "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-21/ICRC-21.md";
/// Largest argument a consent message is made for: the largest SDL and room for the rest of a
/// `create_deployment` argument. Checked before decoding.
pub const MAX_CONSENT_ARG_BYTES: usize = ic_akash::sdl::MAX_SDL_BYTES + 16 * 1024;
/// Candid decoding work allowed for one argument (bounds what a crafted argument can cost).
const DECODING_QUOTA: usize = 4 * MAX_CONSENT_ARG_BYTES;
const SKIPPING_QUOTA: usize = 10_000;
/// Messages are in English.
pub const LANGUAGE: &str = "en";

/// Methods that change nothing or are not for wallets: they have no consent message.
pub const NO_CONSENT_METHODS: [&str; 15] = [
    "quote",
    "set_config",
    "get_deposit_account",
    "get_balance",
    "get_journal",
    "get_akash_accounts",
    "get_deployment",
    "list_deployments",
    "get_deployment_history",
    "get_config",
    "get_stats",
    "get_owner_governance",
    "http_request",
    "icrc10_supported_standards",
    "icrc21_canister_call_consent_message",
];

/// ICRC-10: the standards this canister implements.
pub fn supported_standards() -> Vec<SupportedStandard> {
    vec![
        SupportedStandard { name: "ICRC-10".into(), url: ICRC10_URL.into() },
        SupportedStandard { name: "ICRC-21".into(), url: ICRC21_URL.into() },
    ]
}

fn unsupported(description: impl Into<String>) -> Icrc21Error {
    Icrc21Error::UnsupportedCanisterCall(Icrc21ErrorInfo { description: description.into() })
}

/// A refused request: the call itself would be refused for this reason.
fn refused(e: Error) -> Icrc21Error {
    unsupported(format!("the call would be refused: {e}"))
}

fn decode<T: CandidType + for<'de> candid::Deserialize<'de>>(method: &str, arg: &[u8]) -> Result<T, Icrc21Error> {
    let mut config = candid::de::DecoderConfig::new();
    config.set_decoding_quota(DECODING_QUOTA).set_skipping_quota(SKIPPING_QUOTA);
    candid::decode_one_with_config(arg, &config).map_err(|e| unsupported(format!("the argument is not a {method} argument: {e}")))
}

/// `icrc21_canister_call_consent_message`.
pub fn consent_message<R: Runtime>(o: &Orchestrator<R>, caller: Principal, req: Icrc21ConsentMessageRequest) -> Result<Icrc21ConsentInfo, Icrc21Error> {
    if req.arg.len() > MAX_CONSENT_ARG_BYTES {
        return Err(unsupported(format!("the argument has {} bytes, more than the {MAX_CONSENT_ARG_BYTES} any call takes", req.arg.len())));
    }
    let canister_id = o.rt.canister_id();
    let rendering = o.read(|s| render(s, canister_id, caller, &req.method, &req.arg))?;
    let consent_message = match req.user_preferences.device_spec {
        Some(Icrc21DeviceSpec::FieldsDisplay) => {
            Icrc21ConsentMessage::FieldsDisplayMessage { intent: rendering.intent.clone(), fields: rendering.icrc21_fields() }
        }
        Some(Icrc21DeviceSpec::GenericDisplay) | None => Icrc21ConsentMessage::GenericDisplayMessage(rendering.markdown()),
    };
    Ok(Icrc21ConsentInfo { consent_message, metadata: Icrc21ConsentMessageMetadata { language: LANGUAGE.into(), utc_offset_minutes: None } })
}

/// The rendering of `method(arg)` as `caller` would make the call.
fn render(s: &State, canister_id: Principal, caller: Principal, method: &str, arg: &[u8]) -> Result<Rendering, Icrc21Error> {
    let seen = |id: u64| visible(s, caller, id).ok();
    let owner = |requested: Option<Principal>| requested.unwrap_or(caller);
    Ok(match method {
        "deposit_icp" => consent::deposit_icp(s, caller, &decode::<DepositIcpArg>(method, arg)?),
        "notify_deposit" => {
            let a: NotifyDepositArg = decode(method, arg)?;
            let beneficiary = owner(a.beneficiary);
            consent::notify_deposit(canister_id, beneficiary, &a, s.credited(a.block_index).as_ref())
        }
        "create_deployment" => {
            let a: CreateDeploymentArg = decode(method, arg)?;
            let plan = deployments::plan_create(s, owner(a.owner), &a).map_err(refused)?;
            consent::create(s, &a, &plan)
        }
        "top_up_deployment" => {
            let a: TopUpDeploymentArg = decode(method, arg)?;
            consent::top_up(s, &a, seen(a.deployment_id).as_ref())
        }
        "update_deployment" => {
            let a: UpdateDeploymentArg = decode(method, arg)?;
            let new = deployments::parse_sdl(&a.sdl).map_err(refused)?;
            let d = seen(a.deployment_id);
            let old = d.as_ref().and_then(|d| s.deployment_sdl(d.id)).and_then(|t| ic_akash::sdl::parse(&t).ok());
            consent::update(s, a.deployment_id, d.as_ref(), old.as_ref(), &new)
        }
        "close_deployment" => {
            let id: u64 = decode(method, arg)?;
            consent::close(s, id, seen(id).as_ref())
        }
        "get_provider_token" => {
            let a: GetProviderTokenArg = decode(method, arg)?;
            consent::provider_token(s, &a, seen(a.deployment_id).as_ref())
        }
        "withdraw" => {
            let a: WithdrawArg = decode(method, arg)?;
            let plan = withdraw::plan_withdraw(s, owner(a.owner), &a).map_err(refused)?;
            consent::withdraw(s, plan.owner, &a, plan.needed_uakt)
        }
        "mint_act" => {
            let a: MintActArg = decode(method, arg)?;
            consent::mint(s, owner(a.owner), &a)
        }
        "open_akash_account" => {
            candid::decode_args::<()>(arg).map_err(|e| unsupported(format!("open_akash_account takes no argument: {e}")))?;
            consent::open_akash_account(s, caller)
        }
        "set_owner_governance" => consent::set_owner_governance(s, &decode::<SetOwnerGovernanceArg>(method, arg)?),
        m if NO_CONSENT_METHODS.contains(&m) || m.starts_with("validate_") => {
            return Err(Icrc21Error::ConsentMessageUnavailable(Icrc21ErrorInfo {
                description: format!("{m} changes nothing a wallet user approves (a query, or for controllers)"),
            }))
        }
        m => return Err(unsupported(format!("no method {m:?}"))),
    })
}
