//! Metrics in the Prometheus text format, and the `/metrics` and `/logs` pages of
//! `http_request`.
//!
//! Gauges are read from the state on each scrape (balances, reservations, deployments by phase,
//! work in progress). Counters of calls, cycles and failures live in the heap ([`Counters`],
//! `HttpStats`): they start again from zero after an upgrade, which Prometheus' `rate()` and
//! `increase()` take as a counter reset.

use crate::akash::client::{CallKind, HttpStats, KindStats};
use crate::canister::Orchestrator;
use crate::logs::LogFilter;
use crate::runtime::Runtime;
use crate::state::summary::{Summary, PHASE_LABELS};
use ic_akash_orchestrator_types::{HttpRequest, HttpResponse, Stats};

/// Why an Akash transaction did not do what it was signed for: the labels of
/// `ic_akash_akash_tx_failures_total{reason=...}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxFailure {
    /// The simulation refused a message: it failed before anything was signed.
    SimulationRefused,
    /// Threshold ECDSA gave no signature.
    SigningFailed,
    /// CheckTx refused the broadcast bytes (other than a sequence mismatch): not taken.
    CheckRefused,
    /// CheckTx answered "account sequence mismatch": the sequence is read again.
    SequenceMismatch,
    /// In a block with an error code: the fee is paid, the messages did not run (DeliverTx).
    DeliverFailed,
    /// In a block but refused by the ante handler at delivery: no fee, no sequence.
    RefusedAtDelivery,
    /// Past its timeout and in no block: dropped, its messages signed again.
    TimedOut,
}

impl TxFailure {
    pub const ALL: [TxFailure; 7] = [
        TxFailure::SimulationRefused,
        TxFailure::SigningFailed,
        TxFailure::CheckRefused,
        TxFailure::SequenceMismatch,
        TxFailure::DeliverFailed,
        TxFailure::RefusedAtDelivery,
        TxFailure::TimedOut,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TxFailure::SimulationRefused => "simulation_refused",
            TxFailure::SigningFailed => "signing_failed",
            TxFailure::CheckRefused => "check_refused",
            TxFailure::SequenceMismatch => "sequence_mismatch",
            TxFailure::DeliverFailed => "deliver_failed",
            TxFailure::RefusedAtDelivery => "refused_at_delivery",
            TxFailure::TimedOut => "timed_out",
        }
    }
}

/// The ICP ledger's methods the orchestrator calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerMethod {
    TransferFrom,
    QueryBlocks,
    QueryArchive,
}

impl LedgerMethod {
    pub const ALL: [LedgerMethod; 3] = [LedgerMethod::TransferFrom, LedgerMethod::QueryBlocks, LedgerMethod::QueryArchive];

    pub fn label(self) -> &'static str {
        match self {
            LedgerMethod::TransferFrom => "icrc2_transfer_from",
            LedgerMethod::QueryBlocks => "query_blocks",
            LedgerMethod::QueryArchive => "query_archive",
        }
    }
}

/// Calls and failures since the canister started (heap: reset by an upgrade).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// `sign_with_ecdsa` calls made (each costs `akash::keys::SIGN_WITH_ECDSA_CYCLES`).
    pub signatures: u64,
    /// XRC calls made (each with `rate::XRC_CALL_CYCLES` attached).
    pub xrc_calls: u64,
    /// XRC calls without a rate: the call failed or XRC answered an error.
    pub xrc_failures: u64,
    /// Ledger calls without an answer (rejected, lost, undecodable), per [`LedgerMethod::ALL`].
    pub ledger_failures: [u64; 3],
    /// Per [`TxFailure::ALL`].
    pub tx_failures: [u64; 7],
}

impl Counters {
    pub fn tx_failure(&mut self, why: TxFailure) {
        self.tx_failures[TxFailure::ALL.iter().position(|f| *f == why).expect("BUG: listed")] += 1;
    }

    pub fn ledger_failure(&mut self, method: LedgerMethod) {
        self.ledger_failures[LedgerMethod::ALL.iter().position(|m| *m == method).expect("BUG: listed")] += 1;
    }
}

/// A page in the exposition format: families with HELP and TYPE, then their samples, each with
/// the scrape's time in milliseconds.
struct Page {
    out: String,
    millis: u64,
}

impl Page {
    fn new(now_nanos: u64) -> Self {
        Page { out: String::new(), millis: now_nanos / 1_000_000 }
    }

    fn family(&mut self, name: &str, kind: &str, help: &str) {
        self.out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
    }

    fn sample(&mut self, name: &str, label: Option<(&str, &str)>, value: u128) {
        match label {
            Some((k, v)) => self.out.push_str(&format!("{name}{{{k}=\"{v}\"}} {value} {}\n", self.millis)),
            None => self.out.push_str(&format!("{name} {value} {}\n", self.millis)),
        }
    }

    /// A family of one sample.
    fn single(&mut self, name: &str, kind: &str, help: &str, value: u128) {
        self.family(name, kind, help);
        self.sample(name, None, value);
    }

    /// A family with one sample per label value.
    fn labelled(&mut self, name: &str, kind: &str, help: &str, label: &str, values: &[(&str, u128)]) {
        self.family(name, kind, help);
        for (v, value) in values {
            self.sample(name, Some((label, v)), *value);
        }
    }
}

/// `name value` lines with HELP and TYPE, as Prometheus scrapes them.
pub fn encode(stats: &Stats, now_nanos: u64) -> String {
    let gauges: [(&str, &str, u128); 16] = [
        ("icp_received_e8s", "ICP credited since install, in e8s", stats.icp_received_e8s.into()),
        ("credited_gross_uakt", "AKT value of all credits before fees, in uakt", stats.credited_gross_uakt.into()),
        ("fees_uakt", "Conversion fees kept, in uakt", stats.fees_uakt.into()),
        ("available_uakt", "Sum of available balances, in uakt", stats.available_uakt.into()),
        ("reserved_uakt", "Sum of reservations, in uakt", stats.reserved_uakt.into()),
        ("principals", "Principals with an account", stats.principals.into()),
        ("journal_entries", "Entries in the journal", stats.journal_entries.into()),
        ("deposits_pending", "ICRC-2 deposits whose ledger answer is awaited", stats.deposits_pending.into()),
        ("flows_in_progress", "Flows holding a guard now", stats.flows_in_progress.into()),
        ("cycles_balance", "Cycles held by the canister", stats.cycles_balance),
        ("withdrawn_uakt", "AKT sent out by withdrawals, in uakt", stats.withdrawn_uakt.into()),
        ("chain_fees_uakt", "Akash transaction fees charged to principals, in uakt", stats.chain_fees_uakt.into()),
        ("burned_uakt", "AKT burned for ACT, in uakt", stats.burned_uakt.into()),
        ("minted_uact", "ACT minted and credited, in uact", stats.minted_uact.into()),
        ("service_fees_uakt", "Flat Akash operation fees kept, in uakt", stats.service_fees_uakt.into()),
        ("akash_msgs_pending", "Akash messages queued or in a transaction not yet in a block", stats.akash_msgs_pending.into()),
    ];
    let mut page = Page::new(now_nanos);
    for (name, help, value) in gauges {
        page.single(&format!("ic_akash_{name}"), "gauge", help, value);
    }
    page.out
}

/// What operations need beyond the totals: deployments by phase, ACT and reserved AKT by where
/// they are, work in progress by kind, cycles spent by kind, and failures. Every series is there
/// from the start (zeros included).
pub fn encode_operations(stats: &Stats, s: &Summary, c: &Counters, http: &HttpStats, paused: bool, now_nanos: u64) -> String {
    let mut page = Page::new(now_nanos);
    let by_phase: Vec<(&str, u128)> = PHASE_LABELS.iter().zip(s.deployments).map(|(l, n)| (*l, n.into())).collect();
    page.labelled("ic_akash_deployments", "gauge", "Deployments by phase (closed and failed: all that ever ended)", "state", &by_phase);
    let act = [
        ("held", s.act_held_uact.into()),
        ("set_aside", s.act_set_aside_uact.into()),
        ("in_escrow", stats.act_in_escrow_uact.into()),
        ("spent", stats.act_spent_uact.into()),
    ];
    page.labelled(
        "ic_akash_act_uact",
        "gauge",
        "ACT in uact: held by principals, set aside for deployments, in open escrows, spent by settled escrows (they add up to minted)",
        "state",
        &act,
    );
    let reserved = [
        ("akash_flows", s.reserved_akash_flows_uakt.into()),
        ("deployment_fee_pools", s.reserved_fee_pools_uakt.into()),
        ("other", s.reserved_other_uakt.into()),
    ];
    page.labelled("ic_akash_reserved_uakt_by_purpose", "gauge", "Reserved AKT in uakt by purpose (adds up to ic_akash_reserved_uakt)", "purpose", &reserved);
    let work = [
        ("deposit", stats.deposits_pending.into()),
        ("mint", s.mints_pending.into()),
        ("withdrawal", s.withdrawals_pending.into()),
        ("account_opening", s.open_accounts_pending.into()),
        ("deployment_message", s.deployment_msgs_pending.into()),
        ("akash_message", stats.akash_msgs_pending.into()),
        ("deployment", stats.deployments_active.into()),
        ("flow", stats.flows_in_progress.into()),
    ];
    page.labelled("ic_akash_work_in_progress", "gauge", "Work not finished, by kind (deployments: not ended; flows: calls holding a guard)", "kind", &work);
    page.single("ic_akash_paused", "gauge", "1 while new requests are refused (set_config paused)", u128::from(paused));

    let http_cycles: u128 = CallKind::ALL.iter().map(|k| http.get(*k).cycles).sum();
    let cycles = [
        ("sign_with_ecdsa", u128::from(c.signatures) * crate::akash::keys::SIGN_WITH_ECDSA_CYCLES),
        ("http_outcall", http_cycles),
        ("xrc", u128::from(c.xrc_calls) * crate::rate::XRC_CALL_CYCLES),
    ];
    page.labelled("ic_akash_cycles_spent_total", "counter", "Cycles spent by kind since the last upgrade (signatures at the key_1 price, outcalls as attached, XRC as attached)", "kind", &cycles);
    page.single("ic_akash_ecdsa_signatures_total", "counter", "sign_with_ecdsa calls since the last upgrade", c.signatures.into());
    page.single("ic_akash_xrc_calls_total", "counter", "XRC calls since the last upgrade", c.xrc_calls.into());
    page.single("ic_akash_xrc_failures_total", "counter", "XRC calls without a rate (call failed or XRC error) since the last upgrade", c.xrc_failures.into());
    let ledger: Vec<(&str, u128)> = LedgerMethod::ALL.iter().zip(c.ledger_failures).map(|(m, n)| (m.label(), n.into())).collect();
    page.labelled("ic_akash_ledger_call_failures_total", "counter", "ICP ledger calls without an answer (rejected, lost, undecodable) since the last upgrade", "method", &ledger);
    let tx: Vec<(&str, u128)> = TxFailure::ALL.iter().zip(c.tx_failures).map(|(f, n)| (f.label(), n.into())).collect();
    page.labelled("ic_akash_akash_tx_failures_total", "counter", "Akash transactions that failed, by where, since the last upgrade", "reason", &tx);
    page.out
}

/// The Akash REST client's counters, one series per call kind (zeros included, so every series
/// exists from the start): outcalls, cycles attached, outcalls without a usable answer.
pub fn encode_akash_http(stats: &HttpStats, now_nanos: u64) -> String {
    type Counter = (&'static str, &'static str, fn(&KindStats) -> u128);
    let counters: [Counter; 3] = [
        ("akash_http_calls_total", "HTTPS outcalls to Akash API endpoints", |k| k.calls.into()),
        ("akash_http_cycles_total", "Cycles attached to HTTPS outcalls to Akash API endpoints", |k| k.cycles),
        ("akash_http_errors_total", "HTTPS outcalls to Akash API endpoints without a usable answer", |k| k.errors.into()),
    ];
    let mut page = Page::new(now_nanos);
    for (name, help, value) in counters {
        let values: Vec<(&str, u128)> = CallKind::ALL.iter().map(|k| (k.name(), value(&stats.get(*k)))).collect();
        page.labelled(name, "counter", help, "kind", &values);
    }
    page.out
}

fn response(status_code: u16, content_type: &str, body: String) -> HttpResponse {
    HttpResponse {
        status_code,
        headers: vec![
            ("Content-Type".into(), content_type.into()),
            ("Content-Length".into(), body.len().to_string()),
            ("Cache-Control".into(), "no-store".into()),
        ],
        body: body.into_bytes(),
    }
}

/// The whole `/metrics` page.
pub fn metrics_page<R: Runtime>(o: &Orchestrator<R>) -> String {
    let now = o.now_nanos();
    let stats = crate::queries::get_stats(o);
    let (summary, paused) = o.read(|s| (s.summary(), s.config().paused));
    let http = o.http_stats.borrow();
    let mut body = encode(&stats, now);
    body.push_str(&encode_operations(&stats, &summary, &o.counters.borrow(), &http, paused, now));
    body.push_str(&encode_akash_http(&http, now));
    body
}

/// `/metrics` (Prometheus), `/logs` (JSON; `priority`, `time` and `format=text` in the query).
pub fn http_request<R: Runtime>(o: &Orchestrator<R>, req: &HttpRequest) -> HttpResponse {
    let (path, query) = req.url.split_once('?').unwrap_or((&req.url, ""));
    match path {
        "/metrics" => response(200, "text/plain; version=0.0.4", metrics_page(o)),
        "/logs" => {
            let filter = match LogFilter::from_query(query) {
                Ok(f) => f,
                Err(e) => return response(400, "text/plain", e),
            };
            let logs = o.logs.borrow();
            if query.split('&').any(|p| p == "format=text") {
                response(200, "text/plain; charset=utf-8", logs.render_text(&filter))
            } else {
                response(200, "application/json", logs.render_json(&filter))
            }
        }
        _ => response(404, "text/plain", format!("not found: {path} (try /metrics or /logs)")),
    }
}
