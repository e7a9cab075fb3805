//! Each principal acts on Akash through its own account (its own threshold-ECDSA key), so a
//! provider's check that a token's issuer owns the lease keeps principals apart. The account
//! is funded without transfers: the treasury grants it a fee allowance (`MsgGrantAllowance`,
//! which also creates the account on chain), and deployment deposits come from the treasury's
//! ACT through a deposit authorization (`sources: grant`).

use crate::akash::{keys, pipeline};
use crate::canister::Orchestrator;
use crate::runtime::Runtime;
use crate::state::chain::Charges;
use crate::storage::SignerId;
use candid::Principal;
use ic_akash_orchestrator_types::{AkashAccounts, Error};

/// Set aside for the owner's share of the grant transaction's fee.
pub const OPEN_ACCOUNT_FEE_RESERVE_UAKT: u64 = 50_000;

/// Messages an owner account may pay fees for with the treasury's allowance: its deployments,
/// leases and escrow deposits, nothing else (no sends).
pub const OWNER_ALLOWED_MESSAGES: [&str; 6] = [
    "/akash.deployment.v1beta4.MsgCreateDeployment",
    "/akash.deployment.v1beta4.MsgUpdateDeployment",
    "/akash.deployment.v1beta4.MsgCloseDeployment",
    "/akash.escrow.v1.MsgAccountDeposit",
    "/akash.market.v1beta5.MsgCreateLease",
    "/akash.market.v1beta5.MsgCloseLease",
];

/// `open_akash_account`: the caller's own Akash address; the first call queues the grant.
/// It spends the caller's balance: a governed owner is refused (its governance does not need it:
/// the first deployment opens the account).
pub async fn open_akash_account<R: Runtime>(o: &Orchestrator<R>, caller: Principal) -> Result<AkashAccounts, Error> {
    o.read(|s| crate::governance::acting_owner(s, caller, None))?;
    let config = o.read(|s| s.config().clone());
    if config.paused {
        return Err(Error::Paused);
    }
    let id = SignerId::Owner(caller);
    let existing = o.read(|s| s.tx_account(&id));
    if existing.as_ref().is_some_and(|a| a.opened) || o.read(|s| s.open_account_pending(caller)) {
        return Ok(akash_accounts(o, Some(caller)));
    }
    o.guards.borrow_mut().charge_rate_limit(caller, o.now_secs())?;
    let available = o.read(|s| s.balance(&caller).available_uakt);
    let needed = OPEN_ACCOUNT_FEE_RESERVE_UAKT + config.akash_service_fee_uakt;
    if available < needed {
        return Err(Error::InsufficientBalance { available_uakt: available, requested_uakt: needed });
    }
    let treasury = keys::signer_account(o, SignerId::Treasury).await?;
    keys::signer_account(o, id).await?;
    o.mutate(|s| {
        if s.open_account_pending(caller) {
            return Ok(0);
        }
        s.request_open_account(
            o.now_nanos(),
            caller,
            &treasury.address,
            config.owner_fee_allowance_uakt,
            &OWNER_ALLOWED_MESSAGES,
            Charges { fee_reserve_uakt: OPEN_ACCOUNT_FEE_RESERVE_UAKT, service_fee_uakt: config.akash_service_fee_uakt },
        )
    })?;
    pipeline::schedule(o, 0);
    Ok(akash_accounts(o, Some(caller)))
}

/// The treasury's address and `of`'s own, as far as they are known (a query: no key fetch).
pub fn akash_accounts<R: Runtime>(o: &Orchestrator<R>, of: Option<Principal>) -> AkashAccounts {
    o.read(|s| AkashAccounts {
        treasury: s.tx_account(&SignerId::Treasury).map(|a| a.address),
        owner: of.and_then(|p| s.tx_account(&SignerId::Owner(p))).map(|a| a.address),
    })
}
