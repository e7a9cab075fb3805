//! `ic-akash tx build KIND ...` (build and sign with a local key) and `ic-akash tx decode` (print
//! a transaction as JSON). The command builds exactly what the canister would, through the same
//! message builders and signing code.

use ic_akash::proto::akash::GroupSpec;
use ic_akash::proto::akash_msgs::{BidId, DepositScope, LeaseClosedReason, Source};
use ic_akash::proto::cosmos::{Any, Coin};
use ic_akash::signer::{now_or_never, Signer};
use ic_akash::{address, decode, msgs, tx};
use std::collections::HashMap;
use std::io::Read;

const HELP: &str = "\
ic-akash tx build KIND [OPTIONS]     build and sign a transaction, print base64 TxRaw
ic-akash tx decode [BASE64|-]        print a transaction as JSON (reads stdin for - or nothing)

KIND: create-deployment | update-deployment | close-deployment | account-deposit |
      create-lease | close-lease | mint-act | send | grant-fee | grant-deposit

Common options (build):
  --key FILE              hex 32-byte secp256k1 private key
  --chain-id ID           e.g. akashnet-2
  --account-number N      --sequence N    (from /cosmos/auth/v1beta1/accounts/{addr})
  --gas N                 gas limit (simulate, then add a margin)
  --fee COIN              e.g. 5000uakt; or --gas-price 0.025uakt to compute ceil(gas x price)
  --memo TEXT             --timeout-height N    --fee-granter ADDR    --fee-payer ADDR
  --timeout-timestamp S   Unix seconds after which the chain refuses the tx
  --json                  also print the hash and the decoded transaction

Message options:
  create-deployment  --sdl FILE --dseq N --deposit COINuact [--sources balance,grant]
  update-deployment  --sdl FILE --dseq N
  close-deployment   --dseq N
  account-deposit    --dseq N --amount COIN [--owner ADDR] [--sources balance]
  create-lease       --dseq N --gseq N --oseq N --provider ADDR [--bseq N]
  close-lease        same as create-lease, plus [--reason owner|unspecified|...]
  mint-act           --amount COINuakt
  send               --to ADDR --amount COIN[,COIN...]
  grant-fee          --grantee ADDR [--spend-limit COIN[,COIN...]] [--expiration SECS]
                     [--allowed-messages TYPE_URL[,TYPE_URL...]]   (pay the grantee's fees)
  grant-deposit      --grantee ADDR --spend-limit COIN [--scopes deployment,bid] [--expiration SECS]
                     (let the grantee fund escrow deposits from this account)

Exit codes: 0 ok, 2 invalid input, 1 failure (I/O, signer).
";

/// A failure with its exit code.
struct Fail(i32, String);

fn invalid(msg: impl Into<String>) -> Fail {
    Fail(super::EXIT_INVALID, msg.into())
}

/// Runs `ic-akash tx`; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let result = match args.first().map(String::as_str) {
        Some("build") => build(&args[1..]),
        Some("decode") => decode_cmd(&args[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            print!("{HELP}");
            return 0;
        }
        _ => Err(invalid(format!("expected `build` or `decode`\n\n{HELP}"))),
    };
    match result {
        Ok(()) => 0,
        Err(Fail(code, msg)) => {
            eprintln!("ic-akash tx: {msg}");
            code
        }
    }
}

const FLAGS: &[&str] = &["--json"];

/// Parses `--name value` options (and the `--json` flag).
fn options(args: &[String]) -> Result<HashMap<String, String>, Fail> {
    let mut out = HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !a.starts_with("--") {
            return Err(invalid(format!("unexpected argument '{a}'")));
        }
        let value = if FLAGS.contains(&a.as_str()) {
            String::new()
        } else {
            it.next().ok_or_else(|| invalid(format!("{a} needs a value")))?.clone()
        };
        if out.insert(a.clone(), value).is_some() {
            return Err(invalid(format!("{a} given twice")));
        }
    }
    Ok(out)
}

struct Opts(HashMap<String, String>);

impl Opts {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
    fn req(&self, name: &str) -> Result<&str, Fail> {
        self.get(name).ok_or_else(|| invalid(format!("missing {name}")))
    }
    fn num<T: std::str::FromStr>(&self, name: &str) -> Result<T, Fail> {
        let v = self.req(name)?;
        v.parse().map_err(|_| invalid(format!("{name}: '{v}' is not a valid number")))
    }
    fn num_or<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, Fail> {
        if self.get(name).is_some() { self.num(name) } else { Ok(default) }
    }
    fn coin(&self, name: &str) -> Result<Coin, Fail> {
        msgs::parse_coin(self.req(name)?).map_err(|e| invalid(format!("{name}: {e}")))
    }
    /// Comma-separated coins; absent is none.
    fn coins(&self, name: &str) -> Result<Vec<Coin>, Fail> {
        let Some(text) = self.get(name) else { return Ok(Vec::new()) };
        text.split(',').map(|c| msgs::parse_coin(c).map_err(|e| invalid(format!("{name}: {e}")))).collect()
    }
    fn list(&self, name: &str) -> Vec<&str> {
        self.get(name).map(|t| t.split(',').map(str::trim).collect()).unwrap_or_default()
    }
    fn expiration(&self) -> Result<Option<u64>, Fail> {
        self.get("--expiration").map(|_| self.num("--expiration")).transpose()
    }
    fn sources(&self) -> Result<Vec<Source>, Fail> {
        let text = self.get("--sources").unwrap_or("balance");
        text.split(',')
            .map(|s| match s.trim() {
                "balance" => Ok(Source::Balance),
                "grant" => Ok(Source::Grant),
                other => Err(invalid(format!("--sources: unknown source '{other}' (balance, grant)"))),
            })
            .collect()
    }
    fn bid_id(&self, owner: &str) -> Result<BidId, Fail> {
        Ok(BidId {
            owner: owner.to_string(),
            dseq: self.num("--dseq")?,
            gseq: self.num("--gseq")?,
            oseq: self.num("--oseq")?,
            provider: self.req("--provider")?.to_string(),
            bseq: self.num_or("--bseq", 0)?,
        })
    }
}

/// Groups and manifest hash from an SDL file, through the SDL module.
fn sdl_groups_and_hash(path: &str) -> Result<(Vec<GroupSpec>, [u8; 32]), Fail> {
    let text = super::sdl::read_limited(path).map_err(|(code, msg)| Fail(code, msg))?;
    let sdl = ic_akash::sdl::parse(&text).map_err(|e| invalid(format!("{path}: {e}")))?;
    Ok((sdl.groups(), sdl.version()))
}

fn message(kind: &str, o: &Opts, owner: &str) -> Result<Any, Fail> {
    let m = |r: Result<Any, msgs::MsgError>| r.map_err(|e| invalid(e.to_string()));
    match kind {
        "create-deployment" => {
            let dseq = o.num("--dseq")?;
            let deposit = o.coin("--deposit")?;
            let sources = o.sources()?;
            let (groups, hash) = sdl_groups_and_hash(o.req("--sdl")?)?;
            m(msgs::create_deployment(owner, dseq, groups, hash, &deposit, &sources))
        }
        "update-deployment" => {
            let dseq = o.num("--dseq")?;
            let (_, hash) = sdl_groups_and_hash(o.req("--sdl")?)?;
            m(msgs::update_deployment(owner, dseq, hash))
        }
        "close-deployment" => m(msgs::close_deployment(owner, o.num("--dseq")?)),
        "account-deposit" => {
            let dep_owner = o.get("--owner").unwrap_or(owner);
            m(msgs::account_deposit(owner, dep_owner, o.num("--dseq")?, &o.coin("--amount")?, &o.sources()?))
        }
        "create-lease" => m(msgs::create_lease(&o.bid_id(owner)?)),
        "close-lease" => {
            let reason = match o.get("--reason").unwrap_or("owner") {
                "owner" => LeaseClosedReason::Owner,
                "unstable" => LeaseClosedReason::Unstable,
                "decommission" => LeaseClosedReason::Decommission,
                "unspecified" => LeaseClosedReason::Unspecified,
                "manifest-timeout" => LeaseClosedReason::ManifestTimeout,
                "insufficient-funds" => LeaseClosedReason::InsufficientFunds,
                other => return Err(invalid(format!("--reason: unknown reason '{other}'"))),
            };
            m(msgs::close_lease(&o.bid_id(owner)?, reason))
        }
        "mint-act" => m(msgs::mint_act(owner, owner, &o.coin("--amount")?)),
        "send" => {
            o.req("--amount")?;
            m(msgs::bank_send(owner, o.req("--to")?, &o.coins("--amount")?))
        }
        "grant-fee" => {
            let grantee = o.req("--grantee")?;
            let allowed = o.list("--allowed-messages");
            m(msgs::grant_fee_allowance(owner, grantee, &o.coins("--spend-limit")?, o.expiration()?, &allowed))
        }
        "grant-deposit" => {
            let scopes = o
                .list("--scopes")
                .into_iter()
                .map(|s| match s {
                    "deployment" => Ok(DepositScope::Deployment),
                    "bid" => Ok(DepositScope::Bid),
                    other => Err(invalid(format!("--scopes: unknown scope '{other}' (deployment, bid)"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let scopes = if scopes.is_empty() { vec![DepositScope::Deployment] } else { scopes };
            let limit = o.coin("--spend-limit")?;
            m(msgs::grant_deposit_authorization(owner, o.req("--grantee")?, &limit, &scopes, o.expiration()?))
        }
        other => Err(invalid(format!("unknown transaction kind '{other}'\n\n{HELP}"))),
    }
}

fn build(args: &[String]) -> Result<(), Fail> {
    let Some(kind) = args.first() else {
        return Err(invalid(format!("missing KIND\n\n{HELP}")));
    };
    // `tx build --help` and `tx build KIND --help` (as the README shows) both print the help.
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let o = Opts(options(&args[1..])?);
    let signer = super::load_key(o.req("--key")?).map_err(|(code, msg)| Fail(code, format!("--key: {msg}")))?;
    let owner = address::address_of(&signer.public_key());
    let msg = message(kind, &o, &owner)?;

    let gas_limit: u64 = o.num("--gas")?;
    let fee = match (o.get("--fee"), o.get("--gas-price")) {
        (Some(_), Some(_)) => return Err(invalid("give --fee or --gas-price, not both")),
        (Some(_), None) => o.coin("--fee")?,
        (None, Some(p)) => {
            let price = tx::parse_gas_price(p).map_err(|e| invalid(e.to_string()))?;
            tx::fee_for_gas(gas_limit, &price).map_err(|e| invalid(e.to_string()))?
        }
        (None, None) => return Err(invalid("missing --fee (or --gas-price)")),
    };
    let unsigned = tx::UnsignedTx {
        messages: vec![msg],
        memo: o.get("--memo").unwrap_or("").to_string(),
        timeout_height: o.num_or("--timeout-height", 0)?,
        timeout_timestamp_secs: o.get("--timeout-timestamp").map(|_| o.num("--timeout-timestamp")).transpose()?,
        public_key: signer.public_key(),
        sequence: o.num("--sequence")?,
        account_number: o.num("--account-number")?,
        chain_id: o.req("--chain-id")?.to_string(),
        fee: if fee.amount == "0" { vec![] } else { vec![fee] },
        gas_limit,
        fee_payer: o.get("--fee-payer").map(str::to_string),
        fee_granter: o.get("--fee-granter").map(str::to_string),
    };
    let signed = match now_or_never(tx::sign(&signer, &unsigned)) {
        Some(Ok(s)) => s,
        Some(Err(e @ tx::TxError::Signer(_))) => return Err(Fail(super::EXIT_FAILURE, e.to_string())),
        Some(Err(e)) => return Err(invalid(e.to_string())),
        None => return Err(Fail(super::EXIT_FAILURE, "local signer did not complete".into())),
    };
    if o.get("--json").is_some() {
        let decoded = decode::decode_tx(&signed.tx_raw).map_err(|e| Fail(super::EXIT_FAILURE, e.to_string()))?;
        let out = serde_json::json!({"tx_base64": signed.to_base64(), "hash": signed.hash(), "tx": decoded});
        print_out(&serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        print_out(&signed.to_base64());
    }
    Ok(())
}

fn decode_cmd(args: &[String]) -> Result<(), Fail> {
    let text = match args {
        [a] if a == "--help" || a == "-h" => {
            print!("{HELP}");
            return Ok(());
        }
        [] => read_stdin()?,
        [a] if a == "-" => read_stdin()?,
        [a] => a.clone(),
        _ => return Err(invalid("expected one BASE64 argument or -")),
    };
    let v = decode::decode_tx_base64(&text).map_err(|e| invalid(e.to_string()))?;
    print_out(&serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(())
}

/// Prints a line on stdout, ignoring a closed pipe (`| head`) instead of panicking like `println!`.
fn print_out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
}

fn read_stdin() -> Result<String, Fail> {
    let mut s = String::new();
    // Bounded read: base64 of the largest accepted transaction plus white space.
    let limit = (decode::MAX_TX_BYTES / 3 * 4 + 4096) as u64;
    std::io::stdin()
        .take(limit + 1)
        .read_to_string(&mut s)
        .map_err(|e| Fail(super::EXIT_FAILURE, format!("cannot read stdin: {e}")))?;
    if s.len() as u64 > limit {
        return Err(invalid(format!("input over {} bytes", decode::MAX_TX_BYTES)));
    }
    Ok(s)
}
