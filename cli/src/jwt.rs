//! `ic-akash jwt`: makes a provider JWT (AEP-64, ES256K) with a local key, the same bytes the
//! canister signs with threshold ECDSA, for trying the provider API by hand.

use ic_akash::jwt::{self, Claims, DeploymentPermission, Leases, ProviderAccess, ProviderPermission, Scope};
use ic_akash::signer::{now_or_never, Signer};

const USAGE: &str = "\
ic-akash jwt: make a provider JWT (AEP-64, ES256K) signed with a local key

USAGE:
  ic-akash jwt --key FILE [OPTIONS]

OPTIONS:
  --key FILE             secp256k1 private key: 64 hex characters (iss is its akash1 address)
  --ttl SECS             lifetime in seconds (default 900, at most 86400)
  --now UNIX             issue time in Unix seconds (default: the clock)
  --access LEVEL         full | scoped | granular (default: granular with --provider,
                         scoped with --scope, full otherwise)
  --scope a,b            scopes: send-manifest, get-manifest, logs, shell, events, status,
                         restart, hostname-migrate, ip-migrate
  --provider akash1...   granular: the provider the token is for
  --dseq N               granular: restrict to one deployment (needs --scope and --services)
  --gseq N --oseq N      granular: restrict to one group / order of that deployment
  --services a,b         granular: the services of that deployment
  --jti ID               optional unique token id
  -h, --help             this text

The token is printed on stdout. Exit codes: 0 success, 1 key file unreadable, 2 invalid input.
";

#[derive(Default)]
struct Opts {
    key: Option<String>,
    ttl: Option<String>,
    now: Option<String>,
    access: Option<String>,
    scope: Option<String>,
    provider: Option<String>,
    dseq: Option<String>,
    gseq: Option<String>,
    oseq: Option<String>,
    services: Option<String>,
    jti: Option<String>,
}

fn invalid(msg: impl std::fmt::Display) -> i32 {
    eprintln!("ic-akash jwt: {msg}");
    super::EXIT_INVALID
}

/// Runs `ic-akash jwt` with its arguments; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-h" || a == "--help" {
            print!("{USAGE}");
            return 0;
        }
        let slot = match a {
            "--key" => &mut o.key,
            "--ttl" => &mut o.ttl,
            "--now" => &mut o.now,
            "--access" => &mut o.access,
            "--scope" => &mut o.scope,
            "--provider" => &mut o.provider,
            "--dseq" => &mut o.dseq,
            "--gseq" => &mut o.gseq,
            "--oseq" => &mut o.oseq,
            "--services" => &mut o.services,
            "--jti" => &mut o.jti,
            _ => {
                eprint!("{USAGE}");
                return invalid(format!("unknown argument {a:?}"));
            }
        };
        let Some(v) = args.get(i + 1) else {
            return invalid(format!("{a} needs a value"));
        };
        if slot.is_some() {
            return invalid(format!("{a} given twice"));
        }
        *slot = Some(v.clone());
        i += 2;
    }
    match make(&o) {
        Ok(token) => {
            println!("{token}");
            0
        }
        Err(code) => code,
    }
}

fn number<T: std::str::FromStr>(name: &str, v: &Option<String>) -> Result<Option<T>, i32> {
    match v {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| invalid(format!("{name} {s:?} is not a valid number"))),
    }
}

fn scopes(v: &str) -> Result<Vec<Scope>, i32> {
    v.split(',')
        .map(|s| Scope::parse(s.trim()).ok_or_else(|| invalid(format!("unknown scope {s:?}"))))
        .collect()
}

fn make(o: &Opts) -> Result<String, i32> {
    let Some(path) = &o.key else {
        return Err(invalid("--key FILE is required (see --help)"));
    };
    let signer = super::load_key(path).map_err(|(code, msg)| {
        eprintln!("ic-akash jwt: {msg}");
        code
    })?;
    let ttl: u64 = number("--ttl", &o.ttl)?.unwrap_or(900);
    let now: u64 = match number("--now", &o.now)? {
        Some(n) => n,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let access = match o.access.as_deref() {
        Some(a) => a,
        None if o.provider.is_some() => "granular",
        None if o.scope.is_some() => "scoped",
        None => "full",
    };
    let granular_only = [("--provider", &o.provider), ("--dseq", &o.dseq), ("--gseq", &o.gseq), ("--oseq", &o.oseq), ("--services", &o.services)];
    let leases = match access {
        "full" | "scoped" => {
            if let Some((name, _)) = granular_only.iter().find(|(_, v)| v.is_some()) {
                return Err(invalid(format!("{name} needs --access granular")));
            }
            if access == "full" {
                if o.scope.is_some() {
                    return Err(invalid("--scope needs --access scoped or granular"));
                }
                Leases::Full
            } else {
                let s = o.scope.as_deref().ok_or_else(|| invalid("--access scoped needs --scope"))?;
                Leases::Scoped(scopes(s)?)
            }
        }
        "granular" => {
            let provider = o.provider.clone().ok_or_else(|| invalid("--access granular needs --provider"))?;
            let pa = match number::<u64>("--dseq", &o.dseq)? {
                Some(dseq) => {
                    let s = o.scope.as_deref().ok_or_else(|| invalid("--dseq needs --scope"))?;
                    let services = o.services.as_deref().ok_or_else(|| invalid("--dseq needs --services"))?;
                    ProviderAccess::Granular(vec![DeploymentPermission {
                        dseq,
                        gseq: number("--gseq", &o.gseq)?,
                        oseq: number("--oseq", &o.oseq)?,
                        scope: scopes(s)?,
                        services: services.split(',').map(|s| s.trim().to_string()).collect(),
                    }])
                }
                None => {
                    if let Some((name, _)) = granular_only[2..].iter().find(|(_, v)| v.is_some()) {
                        return Err(invalid(format!("{name} needs --dseq")));
                    }
                    match &o.scope {
                        Some(s) => ProviderAccess::Scoped(scopes(s)?),
                        None => ProviderAccess::Full,
                    }
                }
            };
            Leases::Granular(vec![ProviderPermission { provider, access: pa }])
        }
        other => return Err(invalid(format!("--access {other:?} is not full, scoped or granular"))),
    };
    let iss = ic_akash::address::address_of(&signer.public_key());
    let claims = Claims { jti: o.jti.clone(), ..Claims::new(iss, now, ttl, leases) };
    claims.validate().map_err(invalid)?;
    match now_or_never(jwt::sign(&signer, &claims)) {
        Some(Ok(token)) => Ok(token),
        Some(Err(e)) => Err(invalid(e)),
        None => {
            eprintln!("ic-akash jwt: the local signer did not complete");
            Err(super::EXIT_FAILURE)
        }
    }
}
