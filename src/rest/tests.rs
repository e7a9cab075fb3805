//! Fixtures in the gateway's shapes (snake_case, 64-bit integers as strings, enums by name),
//! including the malformed and oversized bodies the parsers must refuse without panicking.

use super::*;

const OWNER: &str = "akash1nduq8yy8h4nr7g9vuuglzklqatmaquq9xexxta";
const PROVIDER: &str = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc";

fn err(r: Result<impl fmt::Debug, RestError>) -> RestError {
    r.expect_err("expected an error")
}

#[test]
fn rest_account_base_with_and_without_pubkey() {
    let body = br#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","address":"akash1nduq8yy8h4nr7g9vuuglzklqatmaquq9xexxta","pub_key":{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"AtQaCqFnshaZQp6rIkvAPyzThvCvXSDO+9AzbxVErqJP"},"account_number":"1234567","sequence":"42"}}"#;
    let a = parse_account(body).unwrap().unwrap();
    assert_eq!(a.address, OWNER);
    assert_eq!((a.account_number, a.sequence), (1_234_567, 42));
    let (t, k) = a.pub_key.unwrap();
    assert_eq!(t, "/cosmos.crypto.secp256k1.PubKey");
    assert_eq!(k.len(), 33);

    let body = br#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","address":"akash1nduq8yy8h4nr7g9vuuglzklqatmaquq9xexxta","pub_key":null,"account_number":"7","sequence":"0"}}"#;
    let a = parse_account(body).unwrap().unwrap();
    assert_eq!((a.account_number, a.sequence, a.pub_key), (7, 0, None));

    // Account number 0 is omitted by a gateway that drops defaults.
    let body = br#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","address":"x"}}"#;
    assert_eq!(parse_account(body).unwrap().unwrap().account_number, 0);
}

#[test]
fn rest_account_wrapped_types_and_not_found() {
    let vesting = br#"{"account":{"@type":"/cosmos.vesting.v1beta1.ContinuousVestingAccount","base_vesting_account":{"base_account":{"address":"akash1x","pub_key":null,"account_number":"9","sequence":"3"},"original_vesting":[{"denom":"uakt","amount":"100"}],"delegated_free":[],"delegated_vesting":[],"end_time":"1700000000"},"start_time":"1600000000"}}"#;
    let a = parse_account(vesting).unwrap().unwrap();
    assert_eq!((a.account_number, a.sequence), (9, 3));
    let module = br#"{"account":{"@type":"/cosmos.auth.v1beta1.ModuleAccount","base_account":{"address":"akash1m","account_number":"5","sequence":"0"},"name":"escrow","permissions":[]}}"#;
    assert_eq!(parse_account(module).unwrap().unwrap().account_number, 5);

    let not_found = br#"{"code":5,"message":"rpc error: code = NotFound desc = account akash1nduq8yy8h4nr7g9vuuglzklqatmaquq9xexxta not found: key not found","details":[]}"#;
    assert_eq!(parse_account(not_found).unwrap(), None);

    let other = br#"{"account":{"@type":"/ethermint.types.v1.EthAccount"}}"#;
    assert!(matches!(err(parse_account(other)), RestError::UnsupportedAccountType { .. }));
    let bad_seq = br#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","account_number":"1","sequence":"-1"}}"#;
    assert_eq!(
        err(parse_account(bad_seq)),
        RestError::BadNumber { path: "$.account.sequence".into(), value: "-1".into() }
    );
    let huge = br#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","account_number":"18446744073709551616"}}"#;
    assert!(matches!(err(parse_account(huge)), RestError::Overflow { path, .. } if path == "$.account.account_number"));
    let bad_key = br#"{"account":{"@type":"/cosmos.auth.v1beta1.BaseAccount","pub_key":{"@type":"x","key":"!!"}}}"#;
    assert_eq!(err(parse_account(bad_key)), RestError::BadBase64 { path: "$.account.pub_key.key".into() });
    assert_eq!(err(parse_account(b"{}")), RestError::Missing { path: "$.account".into() });
}

#[test]
fn rest_balances_with_pagination() {
    let body = br#"{"balances":[{"denom":"uact","amount":"2500000"},{"denom":"uakt","amount":"340282366920938463463374607431768211455"}],"pagination":{"next_key":"L2FrYXNoMQ==","total":"0"}}"#;
    let b = parse_balances(body).unwrap();
    assert_eq!(b.amount_of("uact"), 2_500_000);
    assert_eq!(b.amount_of("uakt"), u128::MAX);
    assert_eq!(b.amount_of("ibc/27394FB0"), 0);
    assert_eq!(b.page.next_key.as_deref(), Some("L2FrYXNoMQ=="));
    let empty = br#"{"balances":[],"pagination":{"next_key":null,"total":"0"}}"#;
    assert_eq!(parse_balances(empty).unwrap().page, Page::default());
    let over = br#"{"balances":[{"denom":"uakt","amount":"340282366920938463463374607431768211456"}]}"#;
    assert!(matches!(err(parse_balances(over)), RestError::Overflow { path, .. } if path == "$.balances[0].amount"));
    for bad in [r#""1.5""#, r#""1e6""#, r#""""#, r#""+5""#, r#"1.5"#, r#"true"#] {
        let body = format!(r#"{{"balances":[{{"denom":"uakt","amount":{bad}}}]}}"#);
        let e = err(parse_balances(body.as_bytes()));
        assert!(
            matches!(&e, RestError::BadNumber { path, .. } | RestError::WrongType { path, .. } if path == "$.balances[0].amount"),
            "{bad}: {e:?}"
        );
    }
}

#[test]
fn rest_simulate_and_broadcast() {
    let sim = br#"{"gas_info":{"gas_wanted":"0","gas_used":"187463"},"result":{"data":"","log":"","events":[],"msg_responses":[]}}"#;
    assert_eq!(parse_simulate(sim).unwrap(), GasInfo { gas_wanted: 0, gas_used: 187_463 });
    let sim_err = br#"{"code":2,"message":"account sequence mismatch, expected 43, got 42: incorrect account sequence","details":[]}"#;
    match err(parse_simulate(sim_err)) {
        RestError::Chain(e) => assert!(e.is_sequence_mismatch() && !e.is_not_found()),
        other => panic!("{other:?}"),
    }

    let ok = br#"{"tx_response":{"height":"0","txhash":"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08","codespace":"","code":0,"data":"","raw_log":"","logs":[],"info":"","gas_wanted":"0","gas_used":"0","tx":null,"timestamp":"","events":[]}}"#;
    let r = parse_broadcast(ok).unwrap();
    assert_eq!((r.code, r.is_sequence_mismatch()), (0, false));
    assert_eq!(r.txhash.len(), 64);
    let seq = br#"{"tx_response":{"height":"0","txhash":"ABCD","codespace":"sdk","code":32,"raw_log":"account sequence mismatch, expected 5, got 4: incorrect account sequence"}}"#;
    assert!(parse_broadcast(seq).unwrap().is_sequence_mismatch());
    let no_hash = br#"{"tx_response":{"code":0}}"#;
    assert_eq!(err(parse_broadcast(no_hash)), RestError::Missing { path: "$.tx_response.txhash".into() });
}

#[test]
fn rest_tx_included_pending_and_failed() {
    let body = br#"{"tx":{"@type":"/cosmos.tx.v1beta1.Tx","body":{"messages":[]}},"tx_response":{"height":"21843219","txhash":"AB12","codespace":"","code":0,"data":"12340A","raw_log":"","logs":[],"info":"","gas_wanted":"337443","gas_used":"212345","tx":{"@type":"/cosmos.tx.v1beta1.Tx"},"timestamp":"2026-06-11T10:00:00Z","events":[{"type":"message","attributes":[{"key":"action","value":"/akash.deployment.v1beta4.MsgCreateDeployment","index":true}]},{"type":"akash.deployment.v1.EventDeploymentCreated","attributes":[{"key":"id","value":"{\"owner\":\"akash1x\",\"dseq\":\"21843219\"}","index":true},{"key":"msg_index","value":"0","index":true}]}]}}"#;
    let t = parse_tx(body).unwrap().unwrap();
    assert_eq!((t.height, t.code, t.gas_used, t.gas_wanted), (21_843_219, 0, 212_345, 337_443));
    assert_eq!(t.attribute("message", "action"), Some("/akash.deployment.v1beta4.MsgCreateDeployment"));
    assert_eq!(t.attribute("akash.deployment.v1.EventDeploymentCreated", "msg_index"), Some("0"));
    assert_eq!(t.attribute("transfer", "amount"), None);
    assert_eq!(t.timestamp, "2026-06-11T10:00:00Z");

    let pending = br#"{"code":5,"message":"rpc error: code = NotFound desc = tx not found: AB12: key not found","details":[]}"#;
    assert_eq!(parse_tx(pending).unwrap(), None);
    let failed = br#"{"tx_response":{"height":"100","txhash":"AB12","codespace":"sdk","code":5,"raw_log":"insufficient funds","gas_wanted":"200000","gas_used":"51234","events":[]}}"#;
    let t = parse_tx(failed).unwrap().unwrap();
    assert_eq!((t.code, t.codespace.as_str()), (5, "sdk"));
    let invalid_arg = br#"{"code":3,"message":"invalid tx hash","details":[]}"#;
    assert!(matches!(err(parse_tx(invalid_arg)), RestError::Chain(ChainError { code: 3, .. })));
    let bad_events = br#"{"tx_response":{"txhash":"AB","events":{"type":"x"}}}"#;
    assert_eq!(
        err(parse_tx(bad_events)),
        RestError::WrongType { path: "$.tx_response.events".into(), expected: "an array" }
    );
}

fn bids_fixture() -> String {
    format!(
        r#"{{"bids":[{{"bid":{{"id":{{"owner":"{OWNER}","dseq":"21843219","gseq":1,"oseq":1,"provider":"{PROVIDER}","bseq":0}},"state":"open","price":{{"denom":"uact","amount":"1.378800000000000000"}},"created_at":"21843221","resources_offer":[{{"resources":{{"id":1,"cpu":{{"units":{{"val":"500"}},"attributes":[]}},"memory":{{"quantity":{{"val":"536870912"}},"attributes":[]}},"storage":[{{"name":"default","quantity":{{"val":"1073741824"}},"attributes":[]}},{{"name":"data","quantity":{{"val":"1073741824"}},"attributes":[]}}],"gpu":{{"units":{{"val":"0"}},"attributes":[]}},"endpoints":[{{"kind":"SHARED_HTTP","sequence_number":0}}]}},"count":1,"prices":null}}]}},"escrow_account":{{"id":{{"scope":"bid","xid":"{PROVIDER}/21843219/1/1/0"}},"state":{{"owner":"{PROVIDER}","state":"open","transferred":[],"settled_at":"21843221","funds":[{{"denom":"uakt","amount":"500000.000000000000000000"}}],"deposits":[]}}}}}},{{"bid":{{"id":{{"owner":"{OWNER}","dseq":"21843219","gseq":1,"oseq":1,"provider":"akash1q7spgv8fzl3qx9rxmhdq0xuyd9qtu5cs7y9r6v","bseq":0}},"state":"open","price":{{"denom":"uact","amount":"0.913000000000000000"}},"created_at":"21843222"}},"escrow_account":null}}],"pagination":{{"next_key":null,"total":"2"}}}}"#
    )
}

#[test]
fn rest_bids() {
    let b = parse_bids(bids_fixture().as_bytes()).unwrap();
    assert_eq!(b.bids.len(), 2);
    assert_eq!(b.page.total, 2);
    let first = &b.bids[0];
    assert_eq!(first.id, BidId { owner: OWNER.into(), dseq: 21_843_219, gseq: 1, oseq: 1, provider: PROVIDER.into(), bseq: 0 });
    assert_eq!(first.state, "open");
    assert_eq!(first.price.denom, "uact");
    assert_eq!(first.price.amount.to_string(), "1.378800000000000000");
    assert_eq!(first.price.amount.atomics, 1_378_800_000_000_000_000);
    assert_eq!(first.price.amount.ceil(), 2);
    assert_eq!(
        first.resources_offer,
        vec![ResourceOffer { count: 1, cpu_millis: 500, memory_bytes: 536_870_912, storage_bytes: 2_147_483_648, gpu_units: 0 }]
    );
    assert!(b.bids[1].resources_offer.is_empty());
    // Cheapest bid, exactly.
    let cheapest = b.bids.iter().min_by_key(|b| b.price.amount).unwrap();
    assert_eq!(cheapest.price.amount.to_string(), "0.913000000000000000");

    // Pre-v1beta4 alias and numeric enums are read too.
    let legacy = br#"{"bids":[{"bid":{"bid_id":{"owner":"o","dseq":"5","gseq":1,"oseq":1,"provider":"p"},"state":2,"price":{"denom":"uakt","amount":"1"}}}]}"#;
    let l = parse_bids(legacy).unwrap();
    assert_eq!((l.bids[0].id.dseq, l.bids[0].state.as_str()), (5, "active"));

    let bad_price = bids_fixture().replace("1.378800000000000000", "1.3788e0");
    assert_eq!(
        err(parse_bids(bad_price.as_bytes())),
        RestError::BadNumber { path: "$.bids[0].bid.price.amount".into(), value: "1.3788e0".into() }
    );
    let no_bid = br#"{"bids":[{"escrow_account":null}]}"#;
    assert_eq!(err(parse_bids(no_bid)), RestError::Missing { path: "$.bids[0].bid".into() });
}

#[test]
fn rest_lease_with_escrow_payment() {
    let body = format!(
        r#"{{"lease":{{"id":{{"owner":"{OWNER}","dseq":"21843219","gseq":1,"oseq":1,"provider":"{PROVIDER}","bseq":0}},"state":"active","price":{{"denom":"uact","amount":"1.378800000000000000"}},"created_at":"21843230","closed_on":"0","reason":"lease_closed_invalid"}},"escrow_payment":{{"id":{{"aid":{{"scope":"deployment","xid":"{OWNER}/21843219"}},"xid":"1/1/{PROVIDER}/0"}},"state":{{"owner":"{PROVIDER}","state":"open","rate":{{"denom":"uact","amount":"1.378800000000000000"}},"balance":{{"denom":"uact","amount":"12.409200000000000000"}},"unsettled":{{"denom":"uact","amount":"0.000000000000000000"}},"withdrawn":{{"denom":"uact","amount":"124"}}}}}}}}"#
    );
    let l = parse_lease(body.as_bytes()).unwrap();
    assert_eq!((l.state.as_str(), l.closed_on, l.reason.as_str()), ("active", 0, "lease_closed_invalid"));
    assert_eq!(l.id.provider, PROVIDER);
    let p = l.escrow_payment.unwrap();
    assert_eq!(p.account_xid, format!("{OWNER}/21843219"));
    assert_eq!(p.withdrawn, Some(Coin { denom: "uact".into(), amount: 124 }));
    assert_eq!(p.balance.unwrap().amount.floor(), 12);

    let closed = br#"{"lease":{"id":{"owner":"o","dseq":"1","gseq":1,"oseq":1,"provider":"p","bseq":0},"state":"closed","price":{"denom":"uact","amount":"1.0"},"created_at":"10","closed_on":"99","reason":"lease_closed_reason_manifest_timeout"}}"#;
    let l = parse_lease(closed).unwrap();
    assert_eq!((l.state.as_str(), l.closed_on, l.escrow_payment), ("closed", 99, None));
    assert_eq!(l.reason, "lease_closed_reason_manifest_timeout");
    let numeric_reason = br#"{"lease":{"id":{},"state":3,"price":{"denom":"uact","amount":"1"},"reason":10003}}"#;
    assert_eq!(parse_lease(numeric_reason).unwrap().reason, "lease_closed_reason_manifest_timeout");
    let not_found = br#"{"code":5,"message":"rpc error: code = NotFound desc = lease not found","details":[]}"#;
    assert!(matches!(err(parse_lease(not_found)), RestError::Chain(e) if e.is_not_found()));
}

#[test]
fn rest_deployment_info_and_params() {
    let body = format!(
        r#"{{"deployment":{{"id":{{"owner":"{OWNER}","dseq":"21843219"}},"state":"active","hash":"n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=","created_at":"21843219"}},"groups":[{{"id":{{"owner":"{OWNER}","dseq":"21843219","gseq":1}},"state":"open","group_spec":{{"name":"akash","requirements":{{"signed_by":{{"all_of":[],"any_of":[]}},"attributes":[]}},"resources":[]}},"created_at":"21843219"}}],"escrow_account":{{"id":{{"scope":"deployment","xid":"{OWNER}/21843219"}},"state":{{"owner":"{OWNER}","state":"open","transferred":[{{"denom":"uact","amount":"13.788000000000000000"}}],"settled_at":"21843240","funds":[{{"denom":"uact","amount":"499986.212000000000000000"}}],"deposits":[{{"owner":"{OWNER}","height":"21843219","source":"balance","balance":{{"denom":"uact","amount":"499986.212000000000000000"}},"direct":false}}]}}}}}}"#
    );
    let d = parse_deployment(body.as_bytes()).unwrap();
    assert_eq!((d.dseq, d.state.as_str(), d.hash.len()), (21_843_219, "active", 32));
    assert_eq!(d.groups, vec![Group { gseq: 1, state: "open".into(), name: "akash".into(), created_at: 21_843_219 }]);
    let e = d.escrow_account.unwrap();
    assert_eq!((e.scope.as_str(), e.state.as_str(), e.settled_at), ("deployment", "open", 21_843_240));
    assert_eq!(e.funds[0].amount.floor(), 499_986);
    assert_eq!(e.funds[0].amount.to_string(), "499986.212000000000000000");
    assert_eq!(e.deposits[0].source, "balance");
    // Overdrawn escrow: negative funds are kept exactly.
    let overdrawn = body.replace("499986.212000000000000000", "-0.500000000000000000").replace(r#""state":"open","transferred""#, r#""state":"overdrawn","transferred""#);
    let e = parse_deployment(overdrawn.as_bytes()).unwrap().escrow_account.unwrap();
    assert_eq!((e.state.as_str(), e.funds[0].amount.atomics, e.funds[0].amount.floor()), ("overdrawn", -Dec::ONE / 2, -1));
    let bad_hash = body.replace("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", "not base64!");
    assert_eq!(err(parse_deployment(bad_hash.as_bytes())), RestError::BadBase64 { path: "$.deployment.hash".into() });

    let params = br#"{"params":{"min_deposits":[{"denom":"uakt","amount":"500000"},{"denom":"uact","amount":"500000"}]}}"#;
    let p = parse_deployment_params(params).unwrap();
    assert_eq!(p, vec![Coin { denom: "uakt".into(), amount: 500_000 }, Coin { denom: "uact".into(), amount: 500_000 }]);
    assert_eq!(err(parse_deployment_params(b"{}")), RestError::Missing { path: "$.params".into() });
}

#[test]
fn rest_bme_status() {
    let body = br#"{"status":"mint_status_healthy","collateral_ratio":"2.350000000000000000","warn_threshold":"1.200000000000000000","halt_threshold":"1.050000000000000000","mints_allowed":true,"refunds_allowed":true}"#;
    let s = parse_bme_status(body).unwrap();
    assert_eq!(s.status, "mint_status_healthy");
    assert!(s.mints_allowed && s.collateral_ratio > s.warn_threshold);
    let halted = br#"{"status":"mint_status_halt_cr","collateral_ratio":"1.010000000000000000","warn_threshold":"1.2","halt_threshold":"1.05","mints_allowed":false,"refunds_allowed":true}"#;
    let s = parse_bme_status(halted).unwrap();
    assert!(!s.mints_allowed && s.collateral_ratio < s.halt_threshold);
    let bad = br#"{"status":"mint_status_healthy","mints_allowed":"yes"}"#;
    assert_eq!(err(parse_bme_status(bad)), RestError::WrongType { path: "$.mints_allowed".into(), expected: "a boolean" });
}

#[test]
fn rest_latest_block_prefers_sdk_block() {
    let body = br#"{"block_id":{"hash":"q83vEjRWeJA=","part_set_header":{"total":1,"hash":"AA=="}},"block":{"header":{"version":{"block":"11","app":"0"},"chain_id":"akashnet-2","height":"21843219","time":"2026-06-11T10:00:00.987654321Z","proposer_address":"AAEC"},"data":{"txs":[]}},"sdk_block":{"header":{"version":{"block":"11","app":"0"},"chain_id":"akashnet-2","height":"21843220","time":"2026-06-11T10:00:06.5Z","proposer_address":"akashvalcons1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn7e4pz5"},"data":{"txs":[]}}}"#;
    let b = parse_latest_block(body).unwrap();
    assert_eq!(b, BlockInfo { height: 21_843_220, time: "2026-06-11T10:00:06.5Z".into(), time_unix_secs: 1_781_172_006, chain_id: "akashnet-2".into() });
    // A node before SDK 0.50 has only `block`.
    let old = br#"{"block":{"header":{"chain_id":"sandbox-2","height":"77","time":"2026-06-11T10:00:00Z"}}}"#;
    let b = parse_latest_block(old).unwrap();
    assert_eq!((b.height, b.time_unix_secs, b.chain_id.as_str()), (77, 1_781_172_000, "sandbox-2"));
    assert_eq!(err(parse_latest_block(b"{}")), RestError::Missing { path: "$.sdk_block".into() });
    let no_time = br#"{"sdk_block":{"header":{"height":"5"}}}"#;
    assert_eq!(err(parse_latest_block(no_time)), RestError::Missing { path: "$.sdk_block.header.time".into() });
    let zero = br#"{"sdk_block":{"header":{"height":"0","time":"2026-06-11T10:00:00Z"}}}"#;
    assert_eq!(err(parse_latest_block(zero)), RestError::Missing { path: "$.sdk_block.header.height".into() });
    let bad_time = br#"{"sdk_block":{"header":{"height":"5","time":"yesterday"}}}"#;
    assert_eq!(err(parse_latest_block(bad_time)), RestError::BadTime { path: "$.sdk_block.header.time".into(), value: "yesterday".into() });
    let bad_height = br#"{"sdk_block":{"header":{"height":"-5","time":"2026-06-11T10:00:00Z"}}}"#;
    assert!(matches!(err(parse_latest_block(bad_height)), RestError::BadNumber { path, .. } if path == "$.sdk_block.header.height"));
}

#[test]
fn rest_rfc3339_times() {
    for (s, t) in [
        ("1970-01-01T00:00:00Z", 0i64),
        ("1969-12-31T23:59:59Z", -1),
        ("2000-02-29T12:00:00Z", 951_825_600),
        ("2030-03-17T17:46:40Z", 1_900_000_000),
        ("2030-03-17T17:46:40.999999999Z", 1_900_000_000),
        ("2030-03-17t17:46:40z", 1_900_000_000),
        ("2030-03-17T19:46:40+02:00", 1_900_000_000),
        ("2030-03-17T15:46:40.5-02:00", 1_900_000_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ] {
        assert_eq!(parse_rfc3339(s), Some(t), "{s}");
    }
    for s in [
        "", "2030-03-17", "2030-03-17T17:46:40", "2030-03-17 17:46:40Z", "2030-13-01T00:00:00Z", "2030-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2030-03-17T24:00:00Z", "2030-03-17T17:60:00Z", "2030-03-17T17:46:60Z",
        "2030-03-17T17:46:40.Z", "2030-03-17T17:46:40.1234567890Z", "2030-03-17T17:46:40+0200", "2030-03-17T17:46:40+24:00",
        "0000-01-01T00:00:00Z", "+2030-03-17T17:46:40Z", "2030-03-17T17:46:40Zjunk", "２０３０-03-17T17:46:40Z", "2030-0a-17T17:46:40Z",
    ] {
        assert_eq!(parse_rfc3339(s), None, "{s:?}");
    }
}

#[test]
fn rest_failed_message_index() {
    let log = "failed to execute message; message index: 2: insufficient funds: 5uact is smaller than 10uact";
    assert_eq!(failed_message_index(log), Some(2));
    assert_eq!(failed_message_index("failed to execute message; message index: 0: x"), Some(0));
    assert_eq!(failed_message_index("out of gas in location: WriteFlat; gasWanted: 1, gasUsed: 2"), None);
    assert_eq!(failed_message_index("message index: x"), None);
    assert_eq!(failed_message_index("message index: 99999999999999999999"), None);
    assert_eq!(failed_message_index(""), None);
}

#[test]
fn rest_bme_ledger_records() {
    let body = format!(
        r#"{{"records":[{{"id":{{"denom":"uakt","to_denom":"uact","source":"{OWNER}","height":"21843300","sequence":"3"}},"status":"ledger_record_status_pending","pending_record":{{"owner":"{OWNER}","to":"{OWNER}","coins_to_burn":{{"denom":"uakt","amount":"1000000"}},"denom_to_mint":"uact"}}}},{{"id":{{"denom":"uakt","to_denom":"uact","source":"{OWNER}","height":"21843200","sequence":"0"}},"status":"ledger_record_status_executed","executed_record":{{"burned_from":"{OWNER}","minted_to":"{OWNER}","burner":"{PROVIDER}","minter":"{PROVIDER}","burned":{{"coin":{{"denom":"uakt","amount":"1000000"}},"price":"2.350000000000000000"}},"minted":{{"coin":{{"denom":"uact","amount":"2350000"}},"price":"1.000000000000000000"}},"remint_credit_issued":null,"remint_credit_accrued":{{"coin":{{"denom":"uact","amount":"5"}},"price":"1.0"}}}}}}],"pagination":{{"next_key":"AQI=","total":"0"}}}}"#
    );
    let r = parse_bme_ledger_records(body.as_bytes()).unwrap();
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.page.next_key.as_deref(), Some("AQI="));
    let p = &r.records[0];
    assert_eq!(p.id, LedgerRecordId { denom: "uakt".into(), to_denom: "uact".into(), source: OWNER.into(), height: 21_843_300, sequence: 3 });
    assert_eq!(p.status, "ledger_record_status_pending");
    assert_eq!(p.pending_record.as_ref().unwrap().coins_to_burn, Coin { denom: "uakt".into(), amount: 1_000_000 });
    assert_eq!(p.executed_record, None);
    let x = r.records[1].executed_record.as_ref().unwrap();
    assert_eq!(r.records[1].status, "ledger_record_status_executed");
    assert_eq!(x.minted.coin, Coin { denom: "uact".into(), amount: 2_350_000 });
    assert_eq!(x.burned.as_ref().unwrap().price, Dec { atomics: 2_350_000_000_000_000_000 });
    // Node v2.0-v2.1 writes AKT -> ACT records with "burned": null.
    let null_burned = body.replace(r#""burned":{"coin":{"denom":"uakt","amount":"1000000"},"price":"2.350000000000000000"}"#, r#""burned":null"#);
    let x = parse_bme_ledger_records(null_burned.as_bytes()).unwrap().records.remove(1).executed_record.unwrap();
    assert_eq!((x.burned, x.minted.coin.amount), (None, 2_350_000));
    assert_eq!((x.remint_credit_issued.as_ref(), x.remint_credit_accrued.as_ref().map(|c| c.coin.amount)), (None, Some(5)));
    // Numeric status, no records, and a record without its coin.
    let numeric = br#"{"records":[{"id":{"height":"1"},"status":2}]}"#;
    assert_eq!(parse_bme_ledger_records(numeric).unwrap().records[0].status, "ledger_record_status_executed");
    assert_eq!(parse_bme_ledger_records(br#"{"records":[],"pagination":null}"#).unwrap().records, vec![]);
    let no_coin = br#"{"records":[{"id":{},"executed_record":{"burned":{"price":"1"},"minted":{"coin":{"denom":"uact","amount":"1"},"price":"1"}}}]}"#;
    assert_eq!(err(parse_bme_ledger_records(no_coin)), RestError::Missing { path: "$.records[0].executed_record.burned.coin".into() });
    let bad_price = body.replace("2.350000000000000000", "2.35e0");
    assert!(matches!(err(parse_bme_ledger_records(bad_price.as_bytes())), RestError::BadNumber { path, .. } if path == "$.records[1].executed_record.burned.price"));
    assert_eq!(err(parse_bme_ledger_records(br#"{"records":[{"status":1}]}"#)), RestError::Missing { path: "$.records[0].id".into() });
}

#[test]
fn rest_size_limit_is_checked_before_parsing() {
    // Valid JSON, one byte too many: refused without being parsed.
    let mut big = br#"{"balances":[],"x":""#.to_vec();
    big.resize(MAX_REST_RESPONSE_BYTES - 2, b'a');
    big.extend_from_slice(br#""}"#);
    assert!(parse_balances(&big).is_ok());
    big.insert(1, b' ');
    assert_eq!(err(parse_balances(&big)), RestError::TooLarge { len: MAX_REST_RESPONSE_BYTES + 1, max: MAX_REST_RESPONSE_BYTES });
    // Garbage of the same size is refused the same way, not parsed.
    let junk = vec![b'{'; MAX_REST_RESPONSE_BYTES + 1];
    assert!(matches!(err(parse_bids(&junk)), RestError::TooLarge { .. }));
}

#[test]
fn rest_malformed_bodies_never_panic() {
    let deep = "[".repeat(10_000);
    let inputs: Vec<&[u8]> = vec![b"", b"null", b"[]", b"\"x\"", b"{", b"\xff\xfe", deep.as_bytes(), br#"{"code":"x"}"#, br#"{"code":99999999999,"message":1}"#];
    for body in inputs {
        let _ = parse_account(body);
        let _ = parse_balances(body);
        let _ = parse_simulate(body);
        let _ = parse_broadcast(body);
        let _ = parse_tx(body);
        let _ = parse_bids(body);
        let _ = parse_lease(body);
        let _ = parse_deployment(body);
        let _ = parse_deployment_params(body);
        let _ = parse_bme_status(body);
        let _ = parse_chain_error(body);
        let _ = parse_latest_block(body);
        let _ = parse_bme_ledger_records(body);
        let _ = parse_fee_allowance(body);
        let _ = parse_authz_grants(body);
    }
    assert!(matches!(err(parse_balances(b"[]")), RestError::WrongType { .. }));
    assert!(matches!(err(parse_balances(b"{")), RestError::NotJson(_)));
    let e = parse_chain_error(br#"{"code":5,"message":"not found","details":[]}"#).unwrap();
    assert!(e.is_not_found());
}

#[test]
fn rest_dec_parsing_is_exact() {
    for (s, atomics) in [
        ("0", 0i128),
        ("1", Dec::ONE),
        ("1.5", Dec::ONE + Dec::ONE / 2),
        ("0.000000000000000001", 1),
        ("-2.25", -(2 * Dec::ONE + Dec::ONE / 4)),
        ("000123.100000000000000000", 123 * Dec::ONE + Dec::ONE / 10),
    ] {
        assert_eq!(Dec::parse(s), Ok(Dec { atomics }), "{s}");
    }
    for s in ["", "-", ".", "1.", ".5", "1.0000000000000000001", "1e5", "+1", "1,5", " 1", "0x10", "--1", "1.-1"] {
        assert_eq!(Dec::parse(s), Err(DecParseError::Malformed), "{s:?}");
    }
    assert_eq!(Dec::parse("1000000000000000000000"), Err(DecParseError::Overflow));
    assert_eq!(Dec::parse("170141183460469231731").unwrap().to_string(), "170141183460469231731.000000000000000000");
    assert_eq!(Dec::parse("170141183460469231732"), Err(DecParseError::Overflow));
    assert_eq!(Dec { atomics: i128::MIN }.to_string(), "-170141183460469231731.687303715884105728");
    assert_eq!(Dec::parse("-0.1").unwrap().ceil(), 0);
    assert_eq!(Dec::parse("2.000000000000000001").unwrap().ceil(), 3);
    assert_eq!(parse_u128("0"), Some(0));
    assert_eq!(parse_u128("00000000000000000000000000000000000000001"), None);
}
