//! Candid types of the ic-akash orchestrator canister (`candid/orchestrator.did`).
//!
//! Kept in a crate of their own, with no IC runtime dependency, so that other canisters, SNS
//! tooling and tests can call the orchestrator with the exact types it speaks. Amounts are
//! integers with their unit in the field name: `e8s` for ICP, `uakt` for AKT.

use candid::{CandidType, Deserialize, Principal};

#[cfg(feature = "client")] pub mod client;

/// Install or upgrade argument.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum OrchestratorArg {
    /// First install; every missing field takes its documented default.
    Init(ConfigArg),
    /// Upgrade; the fields given replace the stored configuration, the rest is kept.
    Upgrade(Option<ConfigArg>),
}

/// Configuration fields, all optional so that one record serves init, upgrade and `set_config`.
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigArg {
    /// ICP ledger (default: mainnet `ryjl3-tyaaa-aaaaa-aaaba-cai`).
    pub ledger_id: Option<Principal>,
    /// Exchange rate canister (default: mainnet `uf6dk-hyaaa-aaaaq-qaaaq-cai`).
    pub xrc_id: Option<Principal>,
    /// Threshold ECDSA key name (default `key_1`; `dfx_test_key` locally).
    pub ecdsa_key_name: Option<String>,
    /// Conversion fee in basis points taken from every ICP credit (default 100 = 1%, max 5000).
    pub fee_bps: Option<u16>,
    /// How old an exchange rate may be before it is fetched again (default 300).
    pub rate_max_age_secs: Option<u64>,
    /// Lowest accepted rate, in uakt per ICP (default 100_000 = 0.1 AKT per ICP).
    pub min_uakt_per_icp: Option<u64>,
    /// Highest accepted rate, in uakt per ICP (default 1_000_000_000 = 1000 AKT per ICP).
    pub max_uakt_per_icp: Option<u64>,
    /// Smallest ICRC-2 deposit (default 1_000_000 e8s = 0.01 ICP).
    pub min_deposit_e8s: Option<u64>,
    /// Most flows (deposits, notifies) in progress at once across all callers (default 100).
    pub max_flows_in_progress: Option<u32>,
    /// Blocks older than this are refused by `notify_deposit` (default 30 days).
    pub notify_max_block_age_secs: Option<u64>,
    /// Stops every method that moves money; queries keep working.
    pub paused: Option<bool>,
    /// Akash chain id the transactions are signed for (default `akashnet-2`).
    pub akash_chain_id: Option<String>,
    /// Akash REST (Cosmos gateway) base URLs, tried in turn; reads that decide money need
    /// `akash_read_quorum` of them to agree (default: three public mainnet endpoints).
    pub akash_api_urls: Option<Vec<String>>,
    /// How many endpoints must give the same answer to a read that decides money (default 2).
    pub akash_read_quorum: Option<u8>,
    /// Gas price of every transaction, e.g. `0.025uakt` (default).
    pub akash_gas_price: Option<String>,
    /// Gas limit = simulated gas × this / 100 (default 150).
    pub akash_gas_margin_percent: Option<u16>,
    /// Most messages batched into one transaction (default 16).
    pub akash_max_msgs_per_tx: Option<u16>,
    /// A transaction not in a block this long after signing can never be (its `timeout_timestamp`);
    /// its messages are signed again (default 180).
    pub akash_tx_timeout_secs: Option<u64>,
    /// Smallest `withdraw` (default 1_000_000 uakt = 1 AKT).
    pub withdraw_min_uakt: Option<u64>,
    /// Fee allowance the treasury grants each owner account, in uakt (default 5_000_000).
    pub owner_fee_allowance_uakt: Option<u64>,
    /// Flat fee per Akash operation (withdrawal, mint, account opening), kept to pay for its
    /// threshold signature and outcalls (default 50_000 uakt = 0.05 AKT).
    pub akash_service_fee_uakt: Option<u64>,
    /// Akash Console provider proxy (`https://...`) that relays requests to providers after
    /// checking their certificate against the chain; `""` talks to providers directly (only
    /// those with a publicly trusted certificate can be reached so). Default `""`.
    pub provider_proxy_url: Option<String>,
}

/// The configuration in force.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub ledger_id: Principal,
    pub xrc_id: Principal,
    pub ecdsa_key_name: String,
    pub fee_bps: u16,
    pub rate_max_age_secs: u64,
    pub min_uakt_per_icp: u64,
    pub max_uakt_per_icp: u64,
    pub min_deposit_e8s: u64,
    pub max_flows_in_progress: u32,
    pub notify_max_block_age_secs: u64,
    pub paused: bool,
    pub akash_chain_id: String,
    pub akash_api_urls: Vec<String>,
    pub akash_read_quorum: u8,
    pub akash_gas_price: String,
    pub akash_gas_margin_percent: u16,
    pub akash_max_msgs_per_tx: u16,
    pub akash_tx_timeout_secs: u64,
    pub withdraw_min_uakt: u64,
    pub owner_fee_allowance_uakt: u64,
    pub akash_service_fee_uakt: u64,
    pub provider_proxy_url: String,
}

/// An ICRC-1 account.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub owner: Principal,
    pub subaccount: Option<Vec<u8>>,
}

/// Where a person or an SNS treasury sends ICP for `beneficiary`, before `notify_deposit`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DepositAccount {
    pub beneficiary: Principal,
    /// ICRC-1 account (orchestrator, subaccount derived from the beneficiary).
    pub account: Account,
    /// The same account as a legacy ICP ledger account identifier (hex), for `transfer`.
    pub account_identifier: String,
}

/// `deposit_icp`: take `amount_e8s` approved by the caller with `icrc2_approve`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DepositIcpArg {
    /// What the orchestrator receives; the ledger fee is charged to the payer on top.
    pub amount_e8s: u64,
    /// Who is credited (default: the caller), e.g. a DAO paid for by a member.
    pub beneficiary: Option<Principal>,
    /// The caller's subaccount that approved the orchestrator.
    pub from_subaccount: Option<Vec<u8>>,
}

/// `notify_deposit`: credit a transfer to a deposit account.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct NotifyDepositArg {
    pub block_index: u64,
    /// Whose deposit account the block pays (default: the caller).
    pub beneficiary: Option<Principal>,
}

/// An exchange rate, as an exact fraction: one ICP buys `numerator / denominator` AKT.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    pub numerator: u128,
    pub denominator: u128,
    /// The same, rounded down, for people.
    pub uakt_per_icp: u64,
    pub source: RateSource,
    /// When XRC says the rate held (seconds since the epoch).
    pub timestamp_secs: u64,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateSource {
    /// XRC's ICP/AKT pair.
    IcpAkt,
    /// XRC's ICP/USD divided by AKT/USD.
    CrossUsd,
}

/// What `icp_e8s` buys at `rate`: `gross_uakt` rounded down, minus the fee (rounded up).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub icp_e8s: u64,
    pub gross_uakt: u64,
    pub fee_uakt: u64,
    pub uakt: u64,
    pub fee_bps: u16,
    pub rate: Rate,
}

/// Where money came from or went to; each source is credited at most once.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An ICP ledger block index.
    IcpBlock(u64),
    /// An Akash transaction hash (hex).
    AkashTx(String),
}

/// One ICP credit.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub beneficiary: Principal,
    pub block_index: u64,
    pub quote: Quote,
    pub balance: Balance,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Balance {
    /// Spendable now.
    pub available_uakt: u64,
    /// Set aside for flows in progress (withdrawals, ACT mints, deployments).
    pub reserved_uakt: u64,
    /// ACT (minted from this principal's AKT) held for it in the treasury account.
    pub act_uact: u64,
}

/// `mint_act`: burn `amount_uakt` of the owner's AKT for ACT (deployments are paid in ACT).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MintActArg {
    pub amount_uakt: u64,
    /// Whose AKT (default: the caller). Another owner only when the caller is that owner's
    /// governance canister (see `set_owner_governance`).
    pub owner: Option<Principal>,
}

/// The Akash accounts the orchestrator signs for.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct AkashAccounts {
    /// Holds the pooled AKT and ACT; pays withdrawals, mints ACT, grants fees and deposits.
    pub treasury: Option<String>,
    /// The principal's own account (owner of its deployments and leases), once opened.
    pub owner: Option<String>,
}

/// How an Akash transaction ended.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum TxOutcome {
    /// In block `height`; `code` 0 is success, anything else failed on chain (fee still paid).
    Included { height: u64, code: u32, log: String },
    /// Never included: its `timeout_timestamp` passed; its messages are signed again.
    Dropped,
}

/// `withdraw`: send unreserved AKT to an Akash address.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct WithdrawArg {
    pub amount_uakt: u64,
    pub to_akash_address: String,
    /// Whose AKT (default: the caller). Another owner only when the caller is that owner's
    /// governance canister (see `set_owner_governance`).
    pub owner: Option<Principal>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GetJournalArg {
    /// One principal's entries, or every entry.
    pub principal: Option<Principal>,
    /// First position (in the principal's entries, or in the whole journal); default 0.
    pub start: Option<u64>,
    /// At most this many (capped at 100).
    pub length: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalPage {
    pub entries: Vec<JournalEntry>,
    /// How many entries the principal (or the journal) has in all.
    pub total: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    /// Position in the whole journal.
    pub seq: u64,
    pub timestamp_nanos: u64,
    pub principal: Principal,
    pub change: Change,
}

/// Every change to money or configuration, as the journal records it.
// The variants mirror the candid type; boxing the large one would not change the wire form but
// would make every caller's match noisier.
#[allow(clippy::large_enum_variant)]
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// ICP received and converted.
    Credited {
        source: Source,
        payer: Option<Principal>,
        quote: Quote,
    },
    /// An ICRC-2 pull started; its outcome follows as `Credited` or `DepositFailed`.
    DepositStarted {
        deposit_id: u64,
        payer: Principal,
        amount_e8s: u64,
        created_at_time_nanos: u64,
    },
    DepositFailed { deposit_id: u64, reason: String },
    Reserved { amount_uakt: u64, purpose: String },
    Released { amount_uakt: u64, purpose: String },
    ConfigChanged { by: Principal, arg: ConfigArg },
    /// A withdrawal was accepted; its outcome follows as `Withdrawn` or `WithdrawFailed`.
    WithdrawRequested { withdraw_id: u64, to: String, amount_uakt: u64, service_fee_uakt: u64 },
    Withdrawn { withdraw_id: u64, to: String, amount_uakt: u64, fee_uakt: u64, tx_hash: String },
    WithdrawFailed { withdraw_id: u64, reason: String, fee_uakt: u64 },
    /// AKT set aside to be burned for ACT in the next mint.
    ActMintRequested { mint_id: u64, amount_uakt: u64, service_fee_uakt: u64 },
    /// The AKT was burned on chain (ACT follows when the epoch settles).
    ActMintBurned { mint_id: u64, burned_uakt: u64, fee_uakt: u64, tx_hash: String },
    /// ACT credited: this principal's exact share of what the burn minted.
    ActMinted { mint_id: u64, burned_uakt: u64, minted_uact: u64 },
    ActMintFailed { mint_id: u64, reason: String, fee_uakt: u64 },
    /// Opening the principal's own Akash account was queued.
    AkashAccountRequested { address: String, fee_reserve_uakt: u64, service_fee_uakt: u64 },
    /// The principal's own Akash account was opened (fee allowance granted by the treasury).
    AkashAccountOpened { address: String, fee_uakt: u64, tx_hash: String },
    /// A transaction carrying this principal's messages ended so.
    AkashTx { tx_hash: String, account: String, outcome: TxOutcome },
    /// A step of one of this principal's deployments (its history, see `get_deployment_history`).
    Deployment { deployment_id: u64, event: DeploymentEvent },
    /// From now on only `governance` acts for this principal (none: the principal itself again).
    OwnerGovernanceSet { by: Principal, governance: Option<Principal> },
}

/// `create_deployment`: an SDL and how to fund and place it.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct CreateDeploymentArg {
    /// The SDL (YAML), as `ic-akash sdl check` accepts it.
    pub sdl: String,
    /// ACT put in the deployment's escrow when it is created (at least the chain's minimum
    /// deposit, 500_000 uact = 0.5 ACT).
    pub deposit_uact: u64,
    /// AKT to burn for ACT first, when the owner's ACT does not cover the deposit; ACT left over
    /// stays in the owner's balance.
    pub mint_uakt: Option<u64>,
    /// Highest bid accepted for any group, in uact per block (a decimal such as "1.5"); the SDL's
    /// own prices cap bids on chain too.
    pub max_price_uact_per_block: Option<String>,
    pub provider_policy: Option<ProviderPolicy>,
    pub auto_top_up: Option<AutoTopUp>,
    /// Who owns, pays for and controls the deployment (default: the caller). Another owner only
    /// when the caller is that owner's governance canister (see `set_owner_governance`).
    pub owner: Option<Principal>,
}

/// Which providers a deployment accepts.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct ProviderPolicy {
    /// Only these provider addresses (empty: any).
    pub allow: Vec<String>,
    /// Never these.
    pub deny: Vec<String>,
    /// Attributes the provider must have registered on chain.
    pub required_attributes: Vec<Attribute>,
    /// Auditors of whom at least one must have signed the provider's attributes; added to every
    /// group's `signedBy.anyOf`, so the chain itself refuses other bids.
    pub required_auditors: Vec<String>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

/// Keeps the escrow funded from the owner's ACT.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AutoTopUp {
    /// Top up when the escrow would run out in less than this (e.g. 86_400 = a day).
    pub below_runway_secs: u64,
    /// Each top-up adds this much runway at the leases' current price.
    pub top_up_runway_secs: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TopUpDeploymentArg {
    pub deployment_id: u64,
    pub amount_uact: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UpdateDeploymentArg {
    pub deployment_id: u64,
    /// The new SDL: same groups and resources, other services' settings (images, env...) may change.
    pub sdl: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GetProviderTokenArg {
    pub deployment_id: u64,
    /// Provider API scopes: "status", "logs", "events", "shell", "get-manifest", "restart".
    pub scopes: Vec<String>,
    /// Lifetime (capped at 3600; default 900).
    pub ttl_secs: Option<u64>,
}

/// An ES256K token for the deployment's providers, and where they answer.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProviderToken {
    pub token: String,
    pub expires_at_secs: u64,
    /// Provider address and its API (`https://host:8443`).
    pub providers: Vec<(String, String)>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ListDeploymentsArg {
    /// Whose deployments (default: the caller's); the owner and its governance canister list them.
    pub owner: Option<Principal>,
    /// Deployment id to start after (exclusive); none = from the first.
    pub after: Option<u64>,
    /// At most this many (capped at 100).
    pub length: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GetDeploymentHistoryArg {
    pub deployment_id: u64,
    pub start: Option<u64>,
    pub length: u64,
}

/// Where a deployment is in its life.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum DeploymentState {
    /// AKT is being burned for the ACT of the deposit.
    WaitingForAct,
    /// The owner's Akash account and the treasury's deposit grant are being set up.
    Preparing,
    /// `MsgCreateDeployment` is on its way.
    Creating,
    /// Waiting for provider bids until `deadline_secs`.
    Bidding { deadline_secs: u64 },
    /// `MsgCreateLease` for the chosen bids is on its way.
    Leasing,
    /// Sending the manifest to the providers.
    SendingManifest { attempts: u32 },
    /// The providers are starting the services.
    Starting,
    Active,
    /// Closing on chain; the refund follows.
    Closing { reason: String },
    /// Ended: the unspent escrow was credited back.
    Closed { reason: String, refund_uact: u64 },
    /// Ended before anything reached the chain's escrow, or after an unrecoverable error; what was
    /// set aside was released.
    Failed { reason: String },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LeaseInfo {
    pub provider: String,
    pub host_uri: String,
    pub gseq: u32,
    pub oseq: u32,
    pub bseq: u32,
    /// Per block, a decimal in uact.
    pub price_uact_per_block: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ServiceInfo {
    pub name: String,
    pub uris: Vec<String>,
    pub available: u32,
    pub total: u32,
    /// Forwarded ports: (host, external port, service port, protocol).
    pub forwarded_ports: Vec<ForwardedPort>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ForwardedPort {
    pub host: String,
    pub external_port: u32,
    pub port: u32,
    pub proto: String,
}

/// The last escrow reading.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EscrowInfo {
    /// Unspent, whole uact.
    pub balance_uact: u64,
    /// Paid to providers so far, whole uact (rounded up).
    pub spent_uact: u64,
    /// Sum of the leases' prices, a decimal in uact per block.
    pub rate_uact_per_block: String,
    /// Time left at that rate (none without a lease).
    pub runway_secs: Option<u64>,
    pub read_at_secs: u64,
}

/// What a deployment has cost its owner so far.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct DeploymentCost {
    /// Akash transaction fees.
    pub chain_fees_uakt: u64,
    /// Flat fees for signatures and outcalls.
    pub service_fees_uakt: u64,
    /// ACT put in escrow in all (initial deposit and top-ups).
    pub deposited_uact: u64,
    /// ACT refunded from escrow.
    pub refunded_uact: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DeploymentView {
    pub deployment_id: u64,
    pub owner: Principal,
    /// The owner's Akash account (owner of the deployment on chain).
    pub akash_owner: Option<String>,
    /// The deployment's sequence on chain, once created.
    pub dseq: Option<u64>,
    pub state: DeploymentState,
    /// Hex SHA-256 of the manifest (the deployment's `hash` on chain).
    pub sdl_hash: String,
    pub created_at_nanos: u64,
    pub updated_at_nanos: u64,
    pub deposit_uact: u64,
    pub leases: Vec<LeaseInfo>,
    pub services: Vec<ServiceInfo>,
    pub escrow: Option<EscrowInfo>,
    pub auto_top_up: Option<AutoTopUp>,
    pub cost: DeploymentCost,
    /// Providers that failed this deployment (manifest refused, unreachable, not ready).
    pub failed_providers: Vec<String>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DeploymentPage {
    pub deployments: Vec<DeploymentView>,
    /// Pass as `after` for the next page; none at the end.
    pub next: Option<u64>,
}

/// One step of a deployment, as its history and the owner's journal record it.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum DeploymentEvent {
    Requested { sdl_hash: String, deposit_uact: u64, mint_uakt: u64, service_fee_uakt: u64, fee_reserve_uakt: u64 },
    /// ACT of the owner set aside for the escrow.
    ActReserved { amount_uact: u64 },
    /// The treasury authorized the owner account to fund `amount_uact` of deposits from it.
    DepositGranted { amount_uact: u64, tx_hash: String, fee_uakt: u64 },
    Created { dseq: u64, deposit_uact: u64, tx_hash: String, fee_uakt: u64 },
    /// A bid was taken for group `gseq`; `refused` says why others were not.
    BidChosen { gseq: u32, provider: String, price_uact_per_block: String, bids: u32, refused: Vec<String> },
    LeaseCreated { gseq: u32, provider: String, tx_hash: String, fee_uakt: u64 },
    ManifestSent { provider: String, sdl_hash: String },
    /// A provider did not take the manifest or did not start the services in time: its lease
    /// ends and the deployment is made again without it.
    ProviderFailed { provider: String, reason: String },
    Active { services: Vec<ServiceInfo> },
    ToppedUp { amount_uact: u64, automatic: bool, tx_hash: String, fee_uakt: u64 },
    /// The escrow runs low and the owner cannot pay a top-up; the deployment closes at
    /// `closes_below_runway_secs` if nothing changes.
    LowFunds { runway_secs: u64, needed_uact: u64, available_uact: u64, closes_below_runway_secs: u64 },
    Updated { sdl_hash: String, tx_hash: String, fee_uakt: u64 },
    /// A lease ended on chain without the owner asking (provider, empty escrow).
    LeaseEnded { provider: String, reason: String },
    CloseRequested { reason: String },
    Closed { reason: String, refund_uact: u64, spent_uact: u64, tx_hash: Option<String>, fee_uakt: u64 },
    Failed { reason: String, released_uact: u64, released_uakt: u64 },
    /// A transaction step failed and is retried or abandoned (`step`: create, lease, close...).
    StepFailed { step: String, reason: String, fee_uakt: u64 },
}

/// Totals, for monitoring and audit.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Stats {
    pub icp_received_e8s: u64,
    pub credited_gross_uakt: u64,
    pub fees_uakt: u64,
    pub available_uakt: u64,
    pub reserved_uakt: u64,
    pub principals: u64,
    pub journal_entries: u64,
    pub deposits_pending: u64,
    pub flows_in_progress: u32,
    pub cycles_balance: u128,
    /// AKT sent out by withdrawals.
    pub withdrawn_uakt: u64,
    /// Akash transaction fees charged to principals.
    pub chain_fees_uakt: u64,
    /// AKT burned for ACT.
    pub burned_uakt: u64,
    /// Flat fees per Akash operation kept by the orchestrator (they pay for signatures and
    /// outcalls).
    pub service_fees_uakt: u64,
    /// ACT minted and credited.
    pub minted_uact: u64,
    /// Messages waiting for a transaction or in one not yet in a block.
    pub akash_msgs_pending: u64,
    /// Deployments not ended yet.
    pub deployments_active: u64,
    pub deployments_total: u64,
    /// ACT in the escrows of deployments not yet settled.
    pub act_in_escrow_uact: u64,
    /// ACT paid to providers by settled deployments (deposits less refunds).
    pub act_spent_uact: u64,
}

/// Errors of every method. Variants are stable: new ones are added at the end.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Error {
    AnonymousCaller,
    NotAuthorized { reason: String },
    Paused,
    InvalidArgument { field: String, reason: String },
    /// This principal already has a flow in progress; retry when it ends.
    AlreadyProcessing,
    TooManyFlows { max: u32 },
    RateLimited { retry_after_secs: u64 },
    AmountTooSmall { min_e8s: u64 },
    InsufficientAllowance { allowance_e8s: u64 },
    InsufficientFunds { balance_e8s: u64 },
    InsufficientBalance { available_uakt: u64, requested_uakt: u64 },
    /// The ledger refused, nothing was taken.
    LedgerRefused { reason: String },
    /// The ledger could not be reached; nothing was taken, retry.
    LedgerUnavailable { reason: String },
    /// The ledger's answer was lost; the orchestrator retries with the same `created_at_time`
    /// (the ledger deduplicates) and credits or fails the deposit by itself.
    DepositPending { deposit_id: u64 },
    RateUnavailable { reason: String },
    RateOutOfBounds { uakt_per_icp: u64, min: u64, max: u64 },
    BlockNotFound { block_index: u64 },
    BlockTooOld { block_index: u64, age_secs: u64, max_age_secs: u64 },
    NotADeposit { block_index: u64, reason: String },
    NotYetAvailable { what: String },
    /// The Akash chain could not be read or written now; nothing was changed, retry.
    AkashUnavailable { reason: String },
    /// The SDL is not valid: `path` is the JSON pointer of the offending field ("" for the
    /// whole document).
    InvalidSdl { path: String, reason: String },
    /// The owner's ACT does not cover the deposit (mint some with `mint_act`, or pass `mint_uakt`).
    InsufficientAct { available_uact: u64, requested_uact: u64 },
    /// No deployment with this id belongs to the caller.
    DeploymentNotFound { deployment_id: u64 },
    /// The deployment is not in a state that allows this request.
    WrongDeploymentState { deployment_id: u64, state: String, reason: String },
    /// `owner` is controlled through its governance canister: only `governance` acts for it.
    OwnerGoverned { owner: Principal, governance: Principal },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::AnonymousCaller => write!(f, "anonymous callers are refused"),
            Error::NotAuthorized { reason } => write!(f, "not authorized: {reason}"),
            Error::Paused => write!(f, "the orchestrator is paused"),
            Error::InvalidArgument { field, reason } => write!(f, "{field}: {reason}"),
            Error::AlreadyProcessing => write!(f, "a flow of this principal is in progress"),
            Error::TooManyFlows { max } => write!(f, "{max} flows in progress; retry later"),
            Error::RateLimited { retry_after_secs } => {
                write!(f, "rate limited; retry after {retry_after_secs} s")
            }
            Error::AmountTooSmall { min_e8s } => write!(f, "amount below {min_e8s} e8s"),
            Error::InsufficientAllowance { allowance_e8s } => {
                write!(f, "allowance {allowance_e8s} e8s does not cover amount and fee")
            }
            Error::InsufficientFunds { balance_e8s } => {
                write!(f, "balance {balance_e8s} e8s does not cover amount and fee")
            }
            Error::InsufficientBalance { available_uakt, requested_uakt } => {
                write!(f, "{requested_uakt} uakt requested, {available_uakt} available")
            }
            Error::LedgerRefused { reason } => write!(f, "ledger refused: {reason}"),
            Error::LedgerUnavailable { reason } => write!(f, "ledger unavailable: {reason}"),
            Error::DepositPending { deposit_id } => {
                write!(f, "deposit {deposit_id} pending; it completes by itself")
            }
            Error::RateUnavailable { reason } => write!(f, "no exchange rate: {reason}"),
            Error::RateOutOfBounds { uakt_per_icp, min, max } => {
                write!(f, "rate {uakt_per_icp} uakt/ICP outside [{min}, {max}]")
            }
            Error::BlockNotFound { block_index } => write!(f, "block {block_index} not found"),
            Error::BlockTooOld { block_index, age_secs, max_age_secs } => {
                write!(f, "block {block_index} is {age_secs} s old (max {max_age_secs})")
            }
            Error::NotADeposit { block_index, reason } => {
                write!(f, "block {block_index} is not a deposit: {reason}")
            }
            Error::NotYetAvailable { what } => write!(f, "{what} is not yet available"),
            Error::AkashUnavailable { reason } => write!(f, "Akash unavailable: {reason}"),
            Error::InvalidSdl { path, reason } => write!(f, "invalid SDL at {path:?}: {reason}"),
            Error::InsufficientAct { available_uact, requested_uact } => {
                write!(f, "{requested_uact} uact requested, {available_uact} available")
            }
            Error::DeploymentNotFound { deployment_id } => write!(f, "deployment {deployment_id} not found"),
            Error::WrongDeploymentState { deployment_id, state, reason } => {
                write!(f, "deployment {deployment_id} is {state}: {reason}")
            }
            Error::OwnerGoverned { owner, governance } => {
                write!(f, "{owner} is governed by {governance}: only its governance canister acts for it")
            }
        }
    }
}

impl std::error::Error for Error {}

/// An HTTP request through the IC's HTTP gateway (`http_request` query: `/metrics`, `/logs`).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status_code: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// `set_owner_governance`: from now on only `governance` acts for `owner` (none: the owner itself
/// again). Called by the owner while it has no governance, then only by its governance canister.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetOwnerGovernanceArg {
    pub owner: Principal,
    pub governance: Option<Principal>,
}

/// ICRC-21: the display the signer has.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Icrc21DeviceSpec {
    /// Markdown, any length (wrapped and scrolled by the signer).
    GenericDisplay,
    /// Plain-text fields with a title and content, paged by the signer.
    FieldsDisplay,
}

/// ICRC-21 `icrc21_consent_message_metadata`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Icrc21ConsentMessageMetadata {
    /// BCP-47 language tag.
    pub language: String,
    pub utc_offset_minutes: Option<i16>,
}

/// ICRC-21 `icrc21_consent_message_spec`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Icrc21ConsentMessageSpec {
    pub metadata: Icrc21ConsentMessageMetadata,
    pub device_spec: Option<Icrc21DeviceSpec>,
}

/// ICRC-21 `icrc21_consent_message_request`: the call a signer is about to make.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Icrc21ConsentMessageRequest {
    pub method: String,
    /// The call's candid-encoded argument.
    pub arg: Vec<u8>,
    pub user_preferences: Icrc21ConsentMessageSpec,
}

/// ICRC-21 `Value` of a field: typed, so the signer formats amounts and durations itself.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Icrc21Value {
    TokenAmount { decimals: u8, amount: u64, symbol: String },
    TimestampSeconds { amount: u64 },
    DurationSeconds { amount: u64 },
    Text { content: String },
}

/// ICRC-21 `icrc21_consent_message`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Icrc21ConsentMessage {
    GenericDisplayMessage(String),
    FieldsDisplayMessage { intent: String, fields: Vec<(String, Icrc21Value)> },
}

/// ICRC-21 `icrc21_consent_info`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Icrc21ConsentInfo {
    pub consent_message: Icrc21ConsentMessage,
    pub metadata: Icrc21ConsentMessageMetadata,
}

/// ICRC-21 `icrc21_error_info`: for developers, not end users.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Icrc21ErrorInfo {
    pub description: String,
}

/// ICRC-21 `icrc21_error`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Icrc21Error {
    /// The call would be refused: unknown method, undecodable or out-of-bounds argument.
    UnsupportedCanisterCall(Icrc21ErrorInfo),
    /// The method exists but has no consent message (queries, controller-only methods).
    ConsentMessageUnavailable(Icrc21ErrorInfo),
    InsufficientPayment(Icrc21ErrorInfo),
    GenericError { error_code: candid::Nat, description: String },
}

/// ICRC-10: one standard the canister implements.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SupportedStandard {
    pub name: String,
    pub url: String,
}
