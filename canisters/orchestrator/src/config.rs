//! Configuration: defaults, and applying an install, upgrade or `set_config` argument.

use candid::Principal;
use ic_akash_orchestrator_types::{Config, ConfigArg, Error};

pub const MAINNET_LEDGER_ID: &str = "ryjl3-tyaaa-aaaaa-aaaba-cai";
pub const MAINNET_XRC_ID: &str = "uf6dk-hyaaa-aaaaq-qaaaq-cai";
pub const DEFAULT_ECDSA_KEY_NAME: &str = "key_1";
pub const DEFAULT_FEE_BPS: u16 = 100;
/// Above this the fee would be a confiscation, not a cover for price risk.
pub const MAX_FEE_BPS: u16 = 5_000;
pub const DEFAULT_RATE_MAX_AGE_SECS: u64 = 300;
pub const DEFAULT_MIN_UAKT_PER_ICP: u64 = 100_000;
pub const DEFAULT_MAX_UAKT_PER_ICP: u64 = 1_000_000_000;
pub const DEFAULT_MIN_DEPOSIT_E8S: u64 = 1_000_000;
pub const DEFAULT_MAX_FLOWS_IN_PROGRESS: u32 = 100;
pub const DEFAULT_NOTIFY_MAX_BLOCK_AGE_SECS: u64 = 30 * 24 * 3600;

pub const DEFAULT_AKASH_CHAIN_ID: &str = "akashnet-2";
pub const DEFAULT_AKASH_API_URLS: [&str; 3] =
    ["https://api.akashnet.net:443", "https://rpc.akt.dev/rest", "https://akash-api.polkachu.com"];
pub const DEFAULT_AKASH_READ_QUORUM: u8 = 2;
pub const DEFAULT_AKASH_GAS_PRICE: &str = "0.025uakt";
pub const DEFAULT_AKASH_GAS_MARGIN_PERCENT: u16 = 150;
pub const DEFAULT_AKASH_MAX_MSGS_PER_TX: u16 = 16;
pub const DEFAULT_AKASH_TX_TIMEOUT_SECS: u64 = 180;
pub const DEFAULT_WITHDRAW_MIN_UAKT: u64 = 1_000_000;
pub const DEFAULT_OWNER_FEE_ALLOWANCE_UAKT: u64 = 5_000_000;
/// About the cycles of one `key_1` signature and its outcalls (~29B cycles, ~$0.04) at 0.6 $/AKT.
pub const DEFAULT_AKASH_SERVICE_FEE_UAKT: u64 = 50_000;
/// Most Akash endpoints configured (each read may try them all).
pub const MAX_AKASH_API_URLS: usize = 8;

fn principal(text: &str) -> Principal {
    Principal::from_text(text).expect("BUG: constant principal text")
}

pub fn default_config() -> Config {
    Config {
        ledger_id: principal(MAINNET_LEDGER_ID),
        xrc_id: principal(MAINNET_XRC_ID),
        ecdsa_key_name: DEFAULT_ECDSA_KEY_NAME.to_string(),
        fee_bps: DEFAULT_FEE_BPS,
        rate_max_age_secs: DEFAULT_RATE_MAX_AGE_SECS,
        min_uakt_per_icp: DEFAULT_MIN_UAKT_PER_ICP,
        max_uakt_per_icp: DEFAULT_MAX_UAKT_PER_ICP,
        min_deposit_e8s: DEFAULT_MIN_DEPOSIT_E8S,
        max_flows_in_progress: DEFAULT_MAX_FLOWS_IN_PROGRESS,
        notify_max_block_age_secs: DEFAULT_NOTIFY_MAX_BLOCK_AGE_SECS,
        paused: false,
        akash_chain_id: DEFAULT_AKASH_CHAIN_ID.to_string(),
        akash_api_urls: DEFAULT_AKASH_API_URLS.iter().map(|u| u.to_string()).collect(),
        akash_read_quorum: DEFAULT_AKASH_READ_QUORUM,
        akash_gas_price: DEFAULT_AKASH_GAS_PRICE.to_string(),
        akash_gas_margin_percent: DEFAULT_AKASH_GAS_MARGIN_PERCENT,
        akash_max_msgs_per_tx: DEFAULT_AKASH_MAX_MSGS_PER_TX,
        akash_tx_timeout_secs: DEFAULT_AKASH_TX_TIMEOUT_SECS,
        withdraw_min_uakt: DEFAULT_WITHDRAW_MIN_UAKT,
        owner_fee_allowance_uakt: DEFAULT_OWNER_FEE_ALLOWANCE_UAKT,
        akash_service_fee_uakt: DEFAULT_AKASH_SERVICE_FEE_UAKT,
        provider_proxy_url: String::new(),
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument { field: field.to_string(), reason: reason.into() }
}

/// `base` with the fields of `arg` applied, or the first field that makes no sense.
pub fn apply(base: &Config, arg: &ConfigArg) -> Result<Config, Error> {
    let mut c = base.clone();
    if let Some(v) = arg.ledger_id {
        c.ledger_id = v;
    }
    if let Some(v) = arg.xrc_id {
        c.xrc_id = v;
    }
    if let Some(v) = &arg.ecdsa_key_name {
        c.ecdsa_key_name = v.clone();
    }
    if let Some(v) = arg.fee_bps {
        c.fee_bps = v;
    }
    if let Some(v) = arg.rate_max_age_secs {
        c.rate_max_age_secs = v;
    }
    if let Some(v) = arg.min_uakt_per_icp {
        c.min_uakt_per_icp = v;
    }
    if let Some(v) = arg.max_uakt_per_icp {
        c.max_uakt_per_icp = v;
    }
    if let Some(v) = arg.min_deposit_e8s {
        c.min_deposit_e8s = v;
    }
    if let Some(v) = arg.max_flows_in_progress {
        c.max_flows_in_progress = v;
    }
    if let Some(v) = arg.notify_max_block_age_secs {
        c.notify_max_block_age_secs = v;
    }
    if let Some(v) = arg.paused {
        c.paused = v;
    }
    if let Some(v) = &arg.akash_chain_id {
        c.akash_chain_id = v.clone();
    }
    if let Some(v) = &arg.akash_api_urls {
        c.akash_api_urls = v.clone();
    }
    if let Some(v) = arg.akash_read_quorum {
        c.akash_read_quorum = v;
    }
    if let Some(v) = &arg.akash_gas_price {
        c.akash_gas_price = v.clone();
    }
    if let Some(v) = arg.akash_gas_margin_percent {
        c.akash_gas_margin_percent = v;
    }
    if let Some(v) = arg.akash_max_msgs_per_tx {
        c.akash_max_msgs_per_tx = v;
    }
    if let Some(v) = arg.akash_tx_timeout_secs {
        c.akash_tx_timeout_secs = v;
    }
    if let Some(v) = arg.withdraw_min_uakt {
        c.withdraw_min_uakt = v;
    }
    if let Some(v) = arg.owner_fee_allowance_uakt {
        c.owner_fee_allowance_uakt = v;
    }
    if let Some(v) = arg.akash_service_fee_uakt {
        c.akash_service_fee_uakt = v;
    }
    if let Some(v) = &arg.provider_proxy_url {
        c.provider_proxy_url = v.clone();
    }
    validate(&c)?;
    Ok(c)
}

fn validate(c: &Config) -> Result<(), Error> {
    if c.ledger_id == Principal::anonymous() || c.ledger_id == Principal::management_canister() {
        return Err(invalid("ledger_id", "must be a canister id"));
    }
    if c.xrc_id == Principal::anonymous() || c.xrc_id == Principal::management_canister() {
        return Err(invalid("xrc_id", "must be a canister id"));
    }
    if c.ecdsa_key_name.is_empty() || c.ecdsa_key_name.len() > 64 {
        return Err(invalid("ecdsa_key_name", "must be 1 to 64 characters"));
    }
    if c.fee_bps > MAX_FEE_BPS {
        return Err(invalid("fee_bps", format!("must be at most {MAX_FEE_BPS}")));
    }
    if c.rate_max_age_secs == 0 || c.rate_max_age_secs > 24 * 3600 {
        return Err(invalid("rate_max_age_secs", "must be 1 to 86400"));
    }
    if c.min_uakt_per_icp == 0 || c.min_uakt_per_icp > c.max_uakt_per_icp {
        return Err(invalid("min_uakt_per_icp", "must be positive and at most max_uakt_per_icp"));
    }
    if c.min_deposit_e8s == 0 {
        return Err(invalid("min_deposit_e8s", "must be positive"));
    }
    if c.max_flows_in_progress == 0 || c.max_flows_in_progress > 10_000 {
        return Err(invalid("max_flows_in_progress", "must be 1 to 10000"));
    }
    if c.notify_max_block_age_secs < 3600 {
        return Err(invalid("notify_max_block_age_secs", "must be at least 3600"));
    }
    if c.akash_chain_id.is_empty() || c.akash_chain_id.len() > 64 {
        return Err(invalid("akash_chain_id", "must be 1 to 64 characters"));
    }
    if c.akash_api_urls.is_empty() || c.akash_api_urls.len() > MAX_AKASH_API_URLS {
        return Err(invalid("akash_api_urls", format!("must list 1 to {MAX_AKASH_API_URLS} URLs")));
    }
    for u in &c.akash_api_urls {
        if !u.starts_with("https://") || u.len() > 200 || u.ends_with('/') || u.contains(['?', '#', ' ']) {
            return Err(invalid("akash_api_urls", format!("{u:?} is not an https:// base URL without a trailing slash")));
        }
    }
    let urls = c.akash_api_urls.len();
    if c.akash_read_quorum == 0 || usize::from(c.akash_read_quorum) > urls {
        return Err(invalid("akash_read_quorum", format!("must be 1 to the number of URLs ({urls})")));
    }
    if let Err(e) = ic_akash::tx::parse_gas_price(&c.akash_gas_price) {
        return Err(invalid("akash_gas_price", e.to_string()));
    }
    if !(100..=500).contains(&c.akash_gas_margin_percent) {
        return Err(invalid("akash_gas_margin_percent", "must be 100 to 500"));
    }
    if !(1..=64).contains(&c.akash_max_msgs_per_tx) {
        return Err(invalid("akash_max_msgs_per_tx", "must be 1 to 64"));
    }
    if !(30..=3600).contains(&c.akash_tx_timeout_secs) {
        return Err(invalid("akash_tx_timeout_secs", "must be 30 to 3600"));
    }
    let proxy = &c.provider_proxy_url;
    if !proxy.is_empty() && (!proxy.starts_with("https://") || proxy.len() > 200 || proxy.contains(['?', '#', ' '])) {
        return Err(invalid("provider_proxy_url", format!("{proxy:?} is not empty or an https:// URL")));
    }
    if c.withdraw_min_uakt == 0 {
        return Err(invalid("withdraw_min_uakt", "must be positive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_fields_apply_one_by_one() {
        let d = default_config();
        assert_eq!(apply(&d, &ConfigArg::default()).unwrap(), d);
        let c = apply(&d, &ConfigArg { fee_bps: Some(250), paused: Some(true), ..Default::default() }).unwrap();
        assert_eq!((c.fee_bps, c.paused, c.min_deposit_e8s), (250, true, d.min_deposit_e8s));
    }

    #[test]
    fn nonsense_is_refused_with_the_field_named() {
        let d = default_config();
        let e = apply(&d, &ConfigArg { fee_bps: Some(5_001), ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "fee_bps"), "{e:?}");
        let e = apply(&d, &ConfigArg { min_uakt_per_icp: Some(2_000_000_000), ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "min_uakt_per_icp"));
        let e = apply(&d, &ConfigArg { ledger_id: Some(Principal::anonymous()), ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { ref field, .. } if field == "ledger_id"));
    }
}
