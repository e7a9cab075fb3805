//! Deployments, the market and escrow on the simulated chain, driven with transactions the core
//! builds and signs (`ic_akash::msgs`, `ic_akash::tx`) from the core's SDL pipeline, and read
//! back with the core's REST parsers.

use super::*;
use crate::runtime::fake::akash::escrow::EscrowStatus;
use crate::runtime::fake::akash::market::{self, BidState, LeaseState, OrderState, Provider};
use crate::runtime::fake::akash::deployment::{DeploymentState, GroupState};
use ic_akash::proto::akash_msgs::{self as am, DepositScope, LeaseClosedReason, Source};
use crate::runtime::fake::akash::msgs::code;
use crate::runtime::fake::akash::wire::Writer;

const DSEQ: u64 = 100;
const ATOM: u128 = 1_000_000_000_000_000_000;

fn web() -> ic_akash::sdl::Sdl {
    ic_akash::sdl::parse(include_str!("../../../../../../examples/web.yaml")).unwrap()
}

/// `MsgCreateDeployment` written field by field (for what the core refuses to build).
fn raw_create(owner: &str, dseq: u64, hash: &[u8], amount: u128, denom: &str) -> CoreAny {
    let mut w = Writer::new();
    w.message(1, &deployment::encode_deployment_id(owner, dseq));
    for g in web().groups_proto() {
        w.bytes_always(2, &g);
    }
    w.bytes(3, hash);
    w.message(4, &escrow::encode_deposit(&proto::Coin::new(amount, denom), &[Source::Balance as i32]));
    CoreAny { type_url: deployment::MSG_CREATE_DEPLOYMENT.into(), value: w.finish() }
}

fn create_msg(owner: &str, dseq: u64, amount: u128, sources: &[Source]) -> CoreAny {
    let sdl = web();
    cm::create_deployment(owner, dseq, sdl.groups(), sdl.version(), &cm::coin(amount, "uact"), sources).unwrap()
}

/// Signs, broadcasts (CheckTx must pass), produces the next block, returns the included result.
fn run(h: &mut H, s: &LocalSigner, msgs: Vec<CoreAny>) -> cr::TxResult {
    let signed = sign(s, &h.unsigned(s, msgs));
    let r = h.broadcast(&signed.tx_raw);
    assert_eq!(r.code, 0, "{}", r.raw_log);
    h.next_block();
    h.tx(EA, &signed.hash()).expect("included")
}

/// An owner with 10 AKT for fees and `uact` ACT, and a chain with `providers`.
fn setup(uact: u128, providers: &[Provider]) -> (H, LocalSigner, String) {
    let (mut h, o) = funded(1, 10_000_000);
    let owner = addr(&o);
    if uact > 0 {
        h.sim.mint(&owner, uact, "uact");
    }
    for p in providers {
        h.sim.set_provider(p.clone());
    }
    (h, o, owner)
}

fn provider(n: u8, price: &str) -> Provider {
    Provider::new(&addr(&key(n)), price)
}

fn deployment_info(h: &mut H, owner: &str, dseq: u64) -> cr::DeploymentInfo {
    let r = h.get(&format!("/akash/deployment/v1beta4/deployments/info?id.owner={owner}&id.dseq={dseq}"));
    cr::parse_deployment(&r.body).unwrap()
}

fn open_bids(h: &mut H, owner: &str, dseq: u64) -> cr::Bids {
    let r = h.get(&format!("/akash/market/v1beta5/bids/list?filters.owner={owner}&filters.dseq={dseq}&filters.state=open"));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    cr::parse_bids(&r.body).unwrap()
}

fn lease_path(id: &market::BidId) -> String {
    format!(
        "/akash/market/v1beta5/leases/info?id.owner={}&id.dseq={}&id.gseq={}&id.oseq={}&id.provider={}&id.bseq={}",
        id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq
    )
}

fn core_id(b: &cr::BidId) -> am::BidId {
    am::BidId { owner: b.owner.clone(), dseq: b.dseq, gseq: b.gseq, oseq: b.oseq, provider: b.provider.clone(), bseq: b.bseq }
}

#[test]
fn a_deployment_from_the_owners_balance_is_created_with_groups_orders_and_escrow() {
    let (mut h, o, owner) = setup(5_000_000, &[]);
    let t = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_000_000, &[Source::Balance])]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    let created = t.attribute("akash.deployment.v1.EventDeploymentCreated", "id").unwrap();
    let id: Value = serde_json::from_str(created).unwrap();
    assert_eq!((id["owner"].as_str(), id["dseq"].as_str()), (Some(owner.as_str()), Some("100")));
    assert!(t.attribute("akash.market.v1.EventOrderCreated", "id").is_some());
    let height = t.height;

    assert_eq!(h.sim.balance(&owner, "uact"), 4_000_000);
    assert_eq!(h.sim.escrow_module_balance("uact"), 1_000_000);
    let d = h.sim.deployment(&owner, DSEQ).unwrap();
    assert_eq!((d.state, d.hash.clone(), d.created_at), (DeploymentState::Active, web().version().to_vec(), height));
    let orders = h.sim.orders(&owner, DSEQ);
    assert_eq!(orders.len(), 1);
    assert_eq!((orders[0].0.gseq, orders[0].0.oseq, orders[0].1.state), (1, 1, OrderState::Open));

    let info = deployment_info(&mut h, &owner, DSEQ);
    assert_eq!((info.owner.as_str(), info.dseq, info.state.as_str()), (owner.as_str(), DSEQ, "active"));
    assert_eq!(info.hash, web().version().to_vec());
    assert_eq!(info.groups.len(), 1);
    assert_eq!((info.groups[0].gseq, info.groups[0].state.as_str(), info.groups[0].name.as_str()), (1, "open", "dcloud"));
    let e = info.escrow_account.unwrap();
    assert_eq!((e.scope.as_str(), e.xid.clone(), e.state.as_str()), ("deployment", format!("{owner}/{DSEQ}"), "open"));
    assert_eq!(e.funds[0].amount.atomics, 1_000_000 * ATOM as i128);
    assert_eq!(e.deposits.len(), 1);
    assert_eq!((e.deposits[0].owner.as_str(), e.deposits[0].source.as_str()), (owner.as_str(), "balance"));

    // The escrow route finds it by xid, the group route by id; unknown deployments are NotFound.
    let v = h.json(&format!("/akash/escrow/v1/types/accounts?xid={owner}/{DSEQ}&state=open"));
    assert_eq!(v["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(h.get(&format!("/akash/deployment/v1beta4/groups/info?id.owner={owner}&id.dseq={DSEQ}&id.gseq=1")).status, 200);
    let missing = h.get(&format!("/akash/deployment/v1beta4/deployments/info?id.owner={owner}&id.dseq=7"));
    assert_eq!(missing.status, 404);
    assert!(matches!(cr::parse_deployment(&missing.body), Err(cr::RestError::Chain(e)) if e.is_not_found()));

    // The same dseq again fails in the message.
    let again = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_000_000, &[Source::Balance])]);
    assert_eq!((again.code, again.codespace.as_str()), (deployment::CODE_DEPLOYMENT_EXISTS, "deployment"));
    assert_eq!(h.sim.balance(&owner, "uact"), 4_000_000);
}

#[test]
fn uakt_deposits_small_deposits_and_bad_hashes_are_refused() {
    let (mut h, o, owner) = setup(5_000_000, &[]);
    h.sim.mint(&owner, 5_000_000, "uakt");
    // A uakt deposit (the core refuses to build one: write it by hand).
    let sdl = web();
    let uakt = raw_create(&owner, DSEQ, &sdl.version(), 1_000_000, "uakt");
    let t = run(&mut h, &o, vec![uakt]);
    assert_eq!((t.code, t.codespace.as_str()), (deployment::CODE_INVALID_DEPOSIT, "deployment"), "{}", t.raw_log);
    // Below MinDeposits.
    let t = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 499_999, &[Source::Balance])]);
    assert_eq!((t.code, t.codespace.as_str()), (deployment::CODE_INVALID_DEPOSIT, "deployment"), "{}", t.raw_log);
    assert!(t.raw_log.contains("minimum"), "{}", t.raw_log);
    // More than the balance.
    let t = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 6_000_000, &[Source::Balance])]);
    assert_eq!(t.code, code::INSUFFICIENT_FUNDS, "{}", t.raw_log);
    // A 31-byte hash fails CheckTx.
    let any = raw_create(&owner, DSEQ, &sdl.version()[..31], 1_000_000, "uact");
    let r = h.broadcast(&sign(&o, &h.unsigned(&o, vec![any])).tx_raw);
    assert_eq!((r.code, r.codespace.as_str()), (deployment::CODE_INVALID_HASH, "deployment"));
    assert!(h.sim.deployment(&owner, DSEQ).is_none());
    assert_eq!(h.sim.balance(&owner, "uact"), 5_000_000);
}

#[test]
fn a_grant_funds_the_deposit_and_the_refund_goes_back_to_the_granter() {
    let (mut h, o, owner) = setup(0, &[]);
    let g = key(9);
    let granter = addr(&g);
    h.sim.mint(&granter, 10_000_000, "uakt");
    h.sim.mint(&granter, 5_000_000, "uact");
    let grant = cm::grant_deposit_authorization(&granter, &owner, &cm::coin(2_000_000, "uact"), &[DepositScope::Deployment], None).unwrap();
    assert_eq!(run(&mut h, &g, vec![grant]).code, 0);

    // Balance alone cannot pay (the owner has no ACT); [balance, grant] falls through to the grant.
    let t = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_500_000, &[Source::Balance, Source::Grant])]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    assert_eq!(h.sim.balance(&granter, "uact"), 3_500_000);
    let (_, left) = h.sim.authz_grants().into_iter().next().unwrap();
    assert!(matches!(left.authorization, authz::Authorization::Deposit { ref spend_limit, .. } if spend_limit.amount == 500_000));
    let e = deployment_info(&mut h, &owner, DSEQ).escrow_account.unwrap();
    assert_eq!((e.deposits[0].owner.as_str(), e.deposits[0].source.as_str()), (granter.as_str(), "grant"));
    // The grant no longer covers 600_000 and the owner has no balance.
    let t = run(&mut h, &o, vec![cm::account_deposit(&owner, &owner, DSEQ, &cm::coin(600_000, "uact"), &[Source::Grant]).unwrap()]);
    assert_eq!((t.code, t.codespace.as_str()), (escrow::CODE_NO_GRANT, "escrow"), "{}", t.raw_log);
    // Exactly the rest of the limit: the grant is used up and removed.
    let t = run(&mut h, &o, vec![cm::account_deposit(&owner, &owner, DSEQ, &cm::coin(500_000, "uact"), &[Source::Grant]).unwrap()]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    assert!(h.sim.authz_grants().is_empty());

    // No lease, nothing spent: closing refunds all 2_000_000 to the granter, none to the owner.
    let t = run(&mut h, &o, vec![cm::close_deployment(&owner, DSEQ).unwrap()]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    assert!(t.attribute("akash.deployment.v1.EventDeploymentClosed", "id").is_some());
    assert_eq!(h.sim.balance(&granter, "uact"), 5_000_000);
    assert_eq!(h.sim.balance(&owner, "uact"), 0);
    let acc = h.sim.escrow_account(&owner, DSEQ).unwrap();
    assert_eq!((acc.state, acc.refunds.clone()), (EscrowStatus::Closed, vec![(granter.clone(), 2_000_000)]));
    let info = deployment_info(&mut h, &owner, DSEQ);
    assert_eq!((info.state.as_str(), info.groups[0].state.as_str()), ("closed", "closed"));
    assert_eq!(h.sim.orders(&owner, DSEQ)[0].1.state, OrderState::Closed);
}

#[test]
fn providers_bid_a_lease_pays_exactly_every_block_and_closing_refunds_the_rest() {
    let mut slow = provider(21, "2.25");
    slow.bid_delay_blocks = 3;
    let mut silent = provider(22, "0.5");
    silent.bids = false;
    let mut pricey = provider(23, "1000.000000000000000001");
    pricey.bid_delay_blocks = 1;
    let (mut h, o, owner) = setup(5_000_000, &[provider(20, "1.5"), slow.clone(), silent, pricey]);
    let t = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_000_000, &[Source::Balance])]);
    let created = t.height;
    assert!(open_bids(&mut h, &owner, DSEQ).bids.is_empty(), "no bid in the creation block");
    h.next_block();
    let bids = open_bids(&mut h, &owner, DSEQ);
    assert_eq!(bids.bids.len(), 1);
    let b = &bids.bids[0];
    assert_eq!((b.id.provider.as_str(), b.id.gseq, b.id.oseq, b.id.bseq), (addr(&key(20)).as_str(), 1, 1, 0));
    assert_eq!((b.price.denom.as_str(), b.price.amount.atomics), ("uact", 15 * ATOM as i128 / 10));
    assert_eq!(b.created_at, created + 1);
    assert_eq!((b.resources_offer.len(), b.resources_offer[0].cpu_millis, b.resources_offer[0].count), (1, 500, 1));
    h.next_block();
    h.next_block();
    let bids = open_bids(&mut h, &owner, DSEQ);
    assert_eq!(bids.bids.len(), 2, "the slow provider bids 3 blocks after the order; the silent and the too expensive never");
    assert_eq!(bids.page.total, 2);
    let paged: cr::Bids = cr::parse_bids(&h.get(&format!("/akash/market/v1beta5/bids/list?filters.owner={owner}&pagination.limit=1")).body).unwrap();
    assert_eq!((paged.bids.len(), paged.page.next_key.is_some()), (1, true));

    // Lease the cheapest.
    let cheapest = bids.bids.iter().min_by_key(|b| b.price.amount).unwrap().id.clone();
    let t = run(&mut h, &o, vec![cm::create_lease(&core_id(&cheapest)).unwrap()]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    assert!(t.attribute("akash.market.v1.EventLeaseCreated", "id").is_some());
    let leased_at = t.height;
    let lid = market::BidId::from_core(&core_id(&cheapest));
    let all = h.sim.bids(&owner, DSEQ);
    let state_of = |p: &str| all.iter().find(|(id, _)| id.provider == p).unwrap().1.state;
    assert_eq!((state_of(&cheapest.provider), state_of(&slow.address)), (BidState::Active, BidState::Lost));
    assert_eq!(h.sim.orders(&owner, DSEQ)[0].1.state, OrderState::Active);
    // Leasing a lost bid fails.
    let lost = all.iter().find(|(id, _)| id.provider == slow.address).unwrap().0.to_core();
    assert_eq!(run(&mut h, &o, vec![cm::create_lease(&lost).unwrap()]).code, market::CODE_BID_NOT_OPEN);

    // Every block since the lease's costs exactly 1.5 uact; whole units go to the provider.
    let blocks = u128::from(h.sim.height() - leased_at);
    let acc = h.sim.escrow_account(&owner, DSEQ).unwrap();
    assert_eq!(acc.transferred, blocks * 15 * ATOM / 10);
    assert_eq!(acc.funds, 1_000_000 * ATOM - blocks * 15 * ATOM / 10);
    assert_eq!(h.sim.provider_earnings(&cheapest.provider), blocks * 15 / 10);
    assert_eq!(h.sim.balance(&cheapest.provider, "uact"), blocks * 15 / 10);
    let l = cr::parse_lease(&h.get(&lease_path(&lid)).body).unwrap();
    assert_eq!((l.state.as_str(), l.created_at, l.closed_on, l.reason.as_str()), ("active", leased_at, 0, "lease_closed_invalid"));
    let p = l.escrow_payment.unwrap();
    assert_eq!((p.account_xid.clone(), p.state.as_str()), (format!("{owner}/{DSEQ}"), "open"));
    assert_eq!(p.rate.unwrap().amount.atomics, 15 * ATOM as i128 / 10);
    assert_eq!(p.withdrawn.unwrap().amount, blocks * 15 / 10);
    assert_eq!(p.balance.unwrap().amount.atomics, (blocks * 15 * ATOM / 10 % ATOM) as i128);

    // An hour of idle blocks is skipped and settled in bulk, exactly.
    h.advance(3600);
    let blocks = u128::from(h.sim.height() - leased_at);
    assert!(blocks > 600);
    let acc = h.sim.escrow_account(&owner, DSEQ).unwrap();
    assert_eq!((acc.transferred, acc.settled_at), (blocks * 15 * ATOM / 10, h.sim.height()));
    let info = deployment_info(&mut h, &owner, DSEQ);
    let e = info.escrow_account.unwrap();
    assert_eq!(e.transferred[0].amount.atomics, (blocks * 15 * ATOM / 10) as i128);

    // Top-up from the balance.
    let t = run(&mut h, &o, vec![cm::account_deposit(&owner, &owner, DSEQ, &cm::coin(500_000, "uact"), &[Source::Balance]).unwrap()]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    assert_eq!(h.sim.escrow_account(&owner, DSEQ).unwrap().deposits.len(), 2);
    assert_eq!(h.sim.balance(&owner, "uact"), 3_500_000);

    // Close: the lease is paid up to the closing block, the rest is refunded to the owner.
    let t = run(&mut h, &o, vec![cm::close_deployment(&owner, DSEQ).unwrap()]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    let closed = t.height;
    let blocks = u128::from(closed - leased_at);
    let spent = blocks * 15 * ATOM / 10;
    let refund = (1_500_000 * ATOM - spent) / ATOM;
    assert_eq!(h.sim.balance(&owner, "uact"), 3_500_000 + refund);
    assert_eq!(h.sim.provider_earnings(&cheapest.provider), spent / ATOM);
    let l = h.sim.lease(&lid).unwrap();
    assert_eq!((l.state, l.closed_on, l.reason), (LeaseState::Closed, closed, market::REASON_OWNER));
    assert_eq!(h.sim.payment(&lid).unwrap().state, EscrowStatus::Closed);
    // Nothing accrues any more; the escrow keeps only sub-unit dust.
    h.advance(600);
    assert_eq!(h.sim.provider_earnings(&cheapest.provider), spent / ATOM);
    assert!(h.sim.escrow_module_balance("uact") <= 1);
    let l = cr::parse_lease(&h.get(&lease_path(&lid)).body).unwrap();
    assert_eq!((l.state.as_str(), l.reason.as_str()), ("closed", "lease_closed_owner"));
}

#[test]
fn an_overdrawn_escrow_closes_the_lease_and_the_deployment() {
    let (mut h, o, owner) = setup(5_000_000, &[provider(20, "999.9")]);
    run(&mut h, &o, vec![create_msg(&owner, DSEQ, 500_000, &[Source::Balance])]);
    h.next_block();
    let bid = open_bids(&mut h, &owner, DSEQ).bids[0].id.clone();
    let t = run(&mut h, &o, vec![cm::create_lease(&core_id(&bid)).unwrap()]);
    let leased_at = t.height;
    // 500_000 / 999.9 = 500.05: 500 blocks are paid, the 501st is not.
    h.advance(3600);
    let lid = market::BidId::from_core(&core_id(&bid));
    let l = h.sim.lease(&lid).unwrap();
    assert_eq!((l.state, l.closed_on, l.reason), (LeaseState::InsufficientFunds, leased_at + 501, market::REASON_INSUFFICIENT_FUNDS));
    assert_eq!(h.sim.deployment(&owner, DSEQ).unwrap().state, DeploymentState::Closed);
    assert_eq!(h.sim.groups(&owner, DSEQ)[0].state, GroupState::InsufficientFunds);
    let acc = h.sim.escrow_account(&owner, DSEQ).unwrap();
    assert_eq!((acc.state, acc.transferred), (EscrowStatus::Overdrawn, 500 * 9999 * ATOM / 10));
    assert_eq!(h.sim.provider_earnings(&bid.provider), 499_950);
    // The 50 uact left are refunded.
    assert_eq!(acc.refunds, vec![(owner.clone(), 50)]);
    assert_eq!(h.sim.balance(&owner, "uact"), 4_500_000 + 50);
    let info = deployment_info(&mut h, &owner, DSEQ);
    assert_eq!((info.state.as_str(), info.escrow_account.unwrap().state.as_str()), ("closed", "overdrawn"));
    let l = cr::parse_lease(&h.get(&lease_path(&lid)).body).unwrap();
    assert_eq!((l.state.as_str(), l.reason.as_str()), ("insufficient_funds", "lease_closed_reason_insufficient_funds"));
    // The overdraw happened in its own block, with its events.
    let events = &h.sim.chain().block_events[&(leased_at + 501)];
    assert!(events.iter().any(|e| e.kind == "akash.market.v1.EventLeaseClosed"));
    // Deposits into a closed account fail.
    let t = run(&mut h, &o, vec![cm::account_deposit(&owner, &owner, DSEQ, &cm::coin(500_000, "uact"), &[Source::Balance]).unwrap()]);
    assert_eq!((t.code, t.codespace.as_str()), (escrow::CODE_ACCOUNT_CLOSED, "escrow"));
}

#[test]
fn unleased_bids_time_out_and_providers_can_close_leases() {
    let (mut h, o, owner) = setup(5_000_000, &[provider(20, "1"), provider(21, "2")]);
    h.sim.set_bid_timeout_blocks(10);
    let t = run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_000_000, &[Source::Balance])]);
    let created = t.height;
    h.advance(6 * 10);
    assert_eq!(open_bids(&mut h, &owner, DSEQ).bids.len(), 2);
    h.next_block();
    assert_eq!(h.sim.height(), created + 11);
    assert!(open_bids(&mut h, &owner, DSEQ).bids.is_empty(), "closed 10 blocks after they were placed");
    assert!(h.sim.bids(&owner, DSEQ).iter().all(|(_, b)| b.state == BidState::Closed));
    h.advance(600);
    assert_eq!(h.sim.bids(&owner, DSEQ).len(), 2, "no second bid on the same order");

    // A second deployment: lease, then the provider vanishes mid-lease.
    run(&mut h, &o, vec![create_msg(&owner, DSEQ + 1, 1_000_000, &[Source::Balance])]);
    h.next_block();
    let bid = open_bids(&mut h, &owner, DSEQ + 1).bids.into_iter().min_by_key(|b| b.price.amount).unwrap().id;
    let t = run(&mut h, &o, vec![cm::create_lease(&core_id(&bid)).unwrap()]);
    let leased_at = t.height;
    h.advance(60);
    let lid = market::BidId::from_core(&core_id(&bid));
    assert!(h.sim.provider_close_lease(&lid, market::REASON_UNSTABLE));
    let now = h.sim.height();
    let l = h.sim.lease(&lid).unwrap();
    assert_eq!((l.state, l.closed_on, l.reason), (LeaseState::Closed, now, market::REASON_UNSTABLE));
    assert_eq!(h.sim.groups(&owner, DSEQ + 1)[0].state, GroupState::Paused);
    assert_eq!(h.sim.provider_earnings(&bid.provider), u128::from(now - leased_at));
    h.advance(600);
    assert_eq!(h.sim.provider_earnings(&bid.provider), u128::from(now - leased_at), "no accrual after the close");
    assert_eq!(h.sim.deployment(&owner, DSEQ + 1).unwrap().state, DeploymentState::Active);
    let l = cr::parse_lease(&h.get(&lease_path(&lid)).body).unwrap();
    assert_eq!(l.reason, "lease_closed_reason_unstable");
    // The owner closes a lease of its own with MsgCloseLease: a closed one fails.
    let t = run(&mut h, &o, vec![cm::close_lease(&core_id(&bid), LeaseClosedReason::Owner).unwrap()]);
    assert_eq!((t.code, t.codespace.as_str()), (market::CODE_LEASE_NOT_ACTIVE, "market"));
}

#[test]
fn the_owner_closes_a_lease_and_the_provider_route_answers() {
    let p = provider(20, "1");
    let (mut h, o, owner) = setup(5_000_000, std::slice::from_ref(&p));
    run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_000_000, &[Source::Balance])]);
    h.next_block();
    let bid = open_bids(&mut h, &owner, DSEQ).bids[0].id.clone();
    let leased_at = run(&mut h, &o, vec![cm::create_lease(&core_id(&bid)).unwrap()]).height;
    let t = run(&mut h, &o, vec![cm::close_lease(&core_id(&bid), LeaseClosedReason::Owner).unwrap()]);
    assert_eq!(t.code, 0, "{}", t.raw_log);
    assert_eq!(t.attribute("akash.market.v1.EventLeaseClosed", "reason"), Some("\"lease_closed_owner\""));
    assert_eq!(h.sim.provider_earnings(&p.address), u128::from(t.height - leased_at));
    assert_eq!(h.sim.groups(&owner, DSEQ)[0].state, GroupState::Closed);
    let leases = h.json(&format!("/akash/market/v1beta5/leases/list?filters.owner={owner}&filters.dseq={DSEQ}"));
    assert_eq!(leases["leases"][0]["lease"]["state"], "closed");

    let v = h.json(&format!("/akash/provider/v1beta4/providers/{}", p.address));
    assert_eq!(v["provider"]["host_uri"].as_str(), Some(p.host_uri.as_str()));
    assert_eq!(v["provider"]["attributes"][0]["key"], "region");
    assert_eq!(h.get(&format!("/akash/provider/v1beta4/providers/{owner}")).status, 404);
    assert!(h.sim.account(&p.address).is_some(), "provider accounts exist on chain");
    // A lease id that does not exist.
    let mut other = market::BidId::from_core(&core_id(&bid));
    other.gseq = 2;
    let r = h.get(&lease_path(&other));
    assert!(matches!(cr::parse_lease(&r.body), Err(cr::RestError::Chain(e)) if e.is_not_found()));
    assert_eq!(h.get("/akash/market/v1beta5/bids/list?filters.state=bogus").status, 400);
}

#[test]
fn two_depositors_are_refunded_in_proportion_and_providers_see_the_lease() {
    use crate::runtime::fake::provider::{LeaseState as PLeaseState, LeaseView};
    let p = provider(20, "0.7");
    let (mut h, o, owner) = setup(1_000_000, std::slice::from_ref(&p));
    let g = key(9);
    let granter = addr(&g);
    h.sim.mint(&granter, 10_000_000, "uakt");
    h.sim.mint(&granter, 5_000_000, "uact");
    let grant = cm::grant_deposit_authorization(&granter, &owner, &cm::coin(2_000_000, "uact"), &[DepositScope::Deployment], None).unwrap();
    run(&mut h, &g, vec![grant]);
    run(&mut h, &o, vec![create_msg(&owner, DSEQ, 1_000_000, &[Source::Balance])]);
    let top_up = cm::account_deposit(&owner, &owner, DSEQ, &cm::coin(500_000, "uact"), &[Source::Grant]).unwrap();
    assert_eq!(run(&mut h, &o, vec![top_up]).code, 0);
    let bid = open_bids(&mut h, &owner, DSEQ).bids[0].id.clone();
    let leased_at = run(&mut h, &o, vec![cm::create_lease(&core_id(&bid)).unwrap()]).height;

    // The providers' view of the chain.
    let leases = h.sim.deployment_leases(&owner, DSEQ, &p.address);
    assert_eq!(leases.len(), 1);
    assert_eq!((leases[0].gseq, leases[0].oseq, leases[0].group_name.as_str()), (1, 1, "dcloud"));
    assert_eq!((leases[0].state, leases[0].deployment_hash), (PLeaseState::Active, web().version()));
    assert_eq!(h.sim.account_pubkey(&owner), Some(o.public_key().0));
    assert!(h.sim.deployment_leases(&owner, DSEQ, &granter).is_empty());

    h.advance(6 * 37);
    let closed = run(&mut h, &o, vec![cm::close_deployment(&owner, DSEQ).unwrap()]).height;
    let spent = u128::from(closed - leased_at) * 7 * ATOM / 10;
    let refundable = (1_500_000 * ATOM - spent) / ATOM;
    let owner_refund = h.sim.balance(&owner, "uact");
    let granter_refund = h.sim.balance(&granter, "uact") - 4_500_000;
    assert_eq!(owner_refund + granter_refund, refundable);
    assert!(owner_refund == refundable * 2 / 3 || owner_refund == refundable * 2 / 3 + 1, "{owner_refund} of {refundable}");
    assert_eq!(h.sim.escrow_account(&owner, DSEQ).unwrap().refunds, vec![(owner.clone(), owner_refund), (granter.clone(), granter_refund)]);
    assert_eq!(h.sim.provider_earnings(&p.address), spent / ATOM);
    assert_eq!(h.sim.deployment_leases(&owner, DSEQ, &p.address)[0].state, PLeaseState::Closed);
    // Every uact is accounted for: balances + provider + dust in the escrow module.
    assert_eq!(owner_refund + granter_refund + spent / ATOM + h.sim.escrow_module_balance("uact"), 1_500_000);
}
