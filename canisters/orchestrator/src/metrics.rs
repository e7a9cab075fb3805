//! Metrics in the Prometheus text format, and the `/metrics` and `/logs` pages of
//! `http_request`.

use crate::akash::client::{CallKind, HttpStats, KindStats};
use crate::canister::Orchestrator;
use crate::runtime::Runtime;
use ic_akash_orchestrator_types::{HttpRequest, HttpResponse, Stats};

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
    let mut out = String::new();
    for (name, help, value) in gauges {
        out.push_str(&format!("# HELP ic_akash_{name} {help}\n# TYPE ic_akash_{name} gauge\n"));
        out.push_str(&format!("ic_akash_{name} {value} {}\n", now_nanos / 1_000_000));
    }
    out
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
    let mut out = String::new();
    for (name, help, value) in counters {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n"));
        for kind in CallKind::ALL {
            out.push_str(&format!("{name}{{kind=\"{kind}\"}} {} {}\n", value(&stats.get(kind)), now_nanos / 1_000_000));
        }
    }
    out
}

fn response(status_code: u16, content_type: &str, body: String) -> HttpResponse {
    HttpResponse {
        status_code,
        headers: vec![
            ("Content-Type".into(), content_type.into()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body: body.into_bytes(),
    }
}

pub fn http_request<R: Runtime>(o: &Orchestrator<R>, req: &HttpRequest) -> HttpResponse {
    let path = req.url.split('?').next().unwrap_or_default();
    match path {
        "/metrics" => {
            let mut body = encode(&crate::queries::get_stats(o), o.now_nanos());
            body.push_str(&encode_akash_http(&o.http_stats.borrow(), o.now_nanos()));
            response(200, "text/plain; version=0.0.4", body)
        }
        "/logs" => response(200, "text/plain; charset=utf-8", o.logs.borrow().render()),
        _ => response(404, "text/plain", format!("not found: {path} (try /metrics or /logs)")),
    }
}
