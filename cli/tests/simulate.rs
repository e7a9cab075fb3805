//! `ic-akash simulate`: the orchestrator's whole deployment lifecycle, run by the command on the
//! simulated IC and Akash network, as the README's first command runs it.

use std::process::{Command, Output};

/// The repository root: the command runs there, as the README runs it.
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn simulate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ic-akash")).current_dir(REPO).arg("simulate").args(args).output().unwrap()
}

/// The steps of a full lifecycle, in the order they happen.
const STEPS: [&str; 14] =
    ["deposit", "AKT burned", "ACT minted", "owner account", "deposit grant", "on chain", "bids", "lease", "manifest", "active", "top-up", "close", "closed", "refund"];

/// Steps whose receipt is an Akash transaction.
const TX_STEPS: [&str; 6] = ["AKT burned", "owner account", "deposit grant", "on chain", "lease", "top-up"];

fn is_tx_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[test]
fn the_example_runs_from_deposit_to_refund_with_receipts() {
    let out = simulate(&["examples/web.yaml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    // Each step's line starts with its time and name; its receipt and cost close it.
    let mut last = 0;
    for step in STEPS {
        let at = lines
            .iter()
            .enumerate()
            .skip(last)
            .find(|(_, l)| l.starts_with("t+") && l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ").starts_with(step))
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("step {step:?} missing or out of order after line {last}:\n{stdout}"));
        let end = lines[at + 1..].iter().position(|l| l.starts_with("t+") || l.is_empty()).map_or(lines.len(), |p| at + 1 + p);
        let footer = lines[end - 1].trim();
        assert!(footer.contains("cycles"), "{step}: no cost line: {footer}");
        if TX_STEPS.contains(&step) || step == "closed" {
            let receipt = footer.strip_prefix("receipt: tx ").unwrap_or_else(|| panic!("{step}: no tx receipt: {footer}"));
            let (hash, rest) = receipt.split_once(' ').unwrap();
            assert!(is_tx_hash(hash), "{step}: {hash}");
            assert!(rest.starts_with("at height "), "{step}: the receipt names the block: {rest}");
        }
        last = at + 1;
    }
    assert!(stdout.contains("receipt: ICP ledger block "), "the deposit's receipt: {stdout}");
    assert!(stdout.contains("chosen: the cheapest bid the policy accepts"), "{stdout}");
    assert!(stdout.contains("refused by the policy: MissingAttribute"), "the cheaper provider elsewhere is refused: {stdout}");
    assert!(stdout.contains("accepted by the policy, but dearer"), "{stdout}");
    assert!(stdout.contains("through the Akash Console provider proxy"), "{stdout}");
    let refund = lines.iter().find(|l| l.split_whitespace().nth(1) == Some("refund")).unwrap();
    assert!(refund.contains("uact") && refund.contains("exactly what the chain refunded"), "{refund}");
    assert!(lines.iter().any(|l| l.starts_with("total: ") && l.contains("signatures (x 26,153,846,153)")), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("balances: user ")), "{stdout}");
}

#[test]
fn json_output_has_every_step_and_adds_up() {
    let out = simulate(&["examples/web.yaml", "--json", "--active-secs", "1200"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let steps = v["steps"].as_array().unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    let mut it = kinds.iter();
    for step in STEPS {
        assert!(it.any(|k| *k == step), "{step} missing or out of order in {kinds:?}");
    }
    let mut previous = 0;
    let mut cycles: u128 = 0;
    for s in steps {
        let t = s["t_secs"].as_u64().unwrap();
        assert!(t >= previous, "steps in time order: {s}");
        previous = t;
        cycles += s["cost"]["cycles"].as_str().unwrap().parse::<u128>().unwrap();
        if TX_STEPS.contains(&s["step"].as_str().unwrap()) {
            assert!(is_tx_hash(s["receipt"]["tx_hash"].as_str().unwrap()), "{s}");
            assert!(s["receipt"]["height"].as_u64().unwrap() > 0, "{s}");
        }
    }
    assert_eq!(steps[0]["step"], "deposit");
    assert!(steps[0]["receipt"]["icp_block"].as_u64().is_some(), "{}", steps[0]);
    let total: u128 = v["totals"]["cost"]["cycles"].as_str().unwrap().parse().unwrap();
    assert_eq!(cycles, total, "every cycle spent belongs to a step");
    assert!(v["totals"]["simulated_secs"].as_u64().unwrap() >= 1200);
    // 11 AKT burned at 0.6 ACT per AKT; 5 ACT deposited and 1 ACT topped up; the refund is the
    // owner's again.
    let (deposited, refund) = (v["deposited_uact"].as_u64().unwrap(), v["refund_uact"].as_u64().unwrap());
    assert_eq!(deposited, 6_000_000);
    assert!(refund > 0 && refund < deposited, "{refund}");
    assert_eq!(v["balances"]["act_uact"].as_u64().unwrap(), 6_600_000 - deposited + refund);
    assert_eq!(v["balances"]["reserved_uakt"], 0, "nothing stays reserved");
    assert_eq!(v["balances"]["icp_e8s"], 0, "the wallet held the deposit and the two ledger fees");
}

#[test]
fn an_invalid_sdl_is_refused_with_its_path() {
    let out = simulate(&["tests/sdl/bad-denom.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tests/sdl/bad-denom.yaml: invalid SDL: /profiles/placement/dcloud/pricing/web/denom"), "{err}");
    assert!(out.stdout.is_empty(), "nothing simulated");
    // Valid for the core, but deployments are priced in uact: the canister's own check.
    let out = simulate(&["tests/sdl/shared-profile-and-names.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid SDL: /profiles/placement/alpha/pricing: "));
    assert_eq!(simulate(&["examples/web.yaml", "--deposit-icp", "lots"]).status.code(), Some(2));
    assert_eq!(simulate(&[]).status.code(), Some(2));
}

#[test]
fn a_deployment_no_provider_bids_on_fails_with_its_refund() {
    // The simulated providers have neither the placement's attributes nor its auditor.
    let out = simulate(&["tests/sdl/kitchen-sink.yaml", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["error"].as_str().unwrap().contains("no bids by the deadline"), "{}", v["error"]);
    let closed = v["steps"].as_array().unwrap().iter().find(|s| s["step"] == "closed").expect("closed with its refund");
    assert!(closed["text"].as_str().unwrap().contains("0 ACT paid to providers"), "{closed}");
}
