//! Every REST parser on arbitrary bytes: the first byte picks the parser, the rest is the body.
//! A parser may return any error but must never panic.
#![no_main]

use ic_akash::rest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else { return };
    match which % 15 {
        0 => drop(rest::parse_account(body)),
        1 => drop(rest::parse_balances(body)),
        2 => drop(rest::parse_simulate(body)),
        3 => drop(rest::parse_broadcast(body)),
        4 => drop(rest::parse_tx(body)),
        5 => drop(rest::parse_bids(body)),
        6 => drop(rest::parse_lease(body)),
        7 => drop(rest::parse_deployment(body)),
        8 => drop(rest::parse_deployment_params(body)),
        9 => drop(rest::parse_bme_status(body)),
        10 => drop(rest::parse_latest_block(body)),
        11 => drop(rest::parse_bme_ledger_records(body)),
        12 => drop(rest::parse_fee_allowance(body)),
        13 => drop(rest::parse_authz_grants(body)),
        _ => {
            drop(rest::parse_chain_error(body));
            if let Ok(s) = std::str::from_utf8(body) {
                if let Ok(d) = rest::Dec::parse(s) {
                    // Display must give back a string that parses to the same value.
                    assert_eq!(rest::Dec::parse(&d.to_string()), Ok(d));
                    let _ = (d.floor(), d.ceil());
                }
                let _ = rest::parse_u128(s);
                let _ = rest::failed_message_index(s);
                let _ = rest::parse_rfc3339(s);
            }
        }
    }
});
