//! `ic-akash`: the native command. It shares the protocol core with the orchestrator canister, so
//! what it prints is exactly what the canister would build and sign; `simulate` runs the
//! orchestrator itself against a simulated Akash network.
//!
//! Exit codes: 0 success, 1 runtime failure, 2 invalid input or usage.

mod address;
mod jwt;
mod sdl;
mod simulate;
mod tx;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(run(&args));
}

/// Exit code for invalid input (bad SDL, bad arguments).
pub const EXIT_INVALID: i32 = 2;
/// Exit code for a failure that is not the input's fault (I/O).
pub const EXIT_FAILURE: i32 = 1;

const USAGE: &str = "\
ic-akash: the Akash protocol core of the ic-akash orchestrator, as a command

USAGE:
  ic-akash sdl check FILE [--json]         validate an SDL, print its hash, groups and manifest
  ic-akash tx build KIND [OPTIONS]         build and sign a transaction (see `ic-akash tx --help`)
  ic-akash tx decode [BASE64|-]            print a transaction as JSON
  ic-akash address PUBKEY_HEX              the Akash address of a secp256k1 public key
  ic-akash jwt [OPTIONS]                   make a provider JWT (see `ic-akash jwt --help`)
  ic-akash simulate FILE [OPTIONS]         run the orchestrator on a simulated Akash network, deposit
                                           to refund (see `ic-akash simulate --help`)
";

/// Largest key file read (64 hex digits with some white space).
const MAX_KEY_FILE_BYTES: u64 = 1024;

/// Reads a UTF-8 file, or stdin for `-`, refusing anything larger than `limit` bytes before
/// reading it all. Errors carry their exit code: 1 for I/O, 2 for input that is too large or not text.
pub(crate) fn read_text(file: &str, limit: u64) -> Result<String, (i32, String)> {
    use std::io::Read;
    let mut buf = Vec::new();
    let res = if file == "-" {
        std::io::stdin().take(limit + 1).read_to_end(&mut buf)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit + 1).read_to_end(&mut buf))
    };
    res.map_err(|e| (EXIT_FAILURE, format!("cannot read {file}: {e}")))?;
    if buf.len() as u64 > limit {
        return Err((EXIT_INVALID, format!("{file} is larger than the limit of {limit} bytes")));
    }
    String::from_utf8(buf).map_err(|_| (EXIT_INVALID, format!("{file} is not UTF-8 text")))
}

/// The local signer of a key file (64 hex digits): the key of `tx build` and `jwt`.
pub(crate) fn load_key(file: &str) -> Result<ic_akash::signer::LocalSigner, (i32, String)> {
    let text = read_text(file, MAX_KEY_FILE_BYTES)?;
    ic_akash::signer::LocalSigner::from_hex(&text)
        .map_err(|_| (EXIT_INVALID, format!("{file} is not a 64-hex-digit secp256k1 private key")))
}

/// Runs the command with its arguments (without the program name); returns the exit code.
fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("sdl") => sdl::run(&args[1..]),
        Some("tx") => tx::run(&args[1..]),
        Some("address") => address::run(&args[1..]),
        Some("jwt") => jwt::run(&args[1..]),
        Some("simulate") => simulate::run(&args[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            print!("{USAGE}");
            0
        }
        Some("--version") => {
            println!("ic-akash {}", env!("CARGO_PKG_VERSION"));
            0
        }
        _ => {
            eprint!("{USAGE}");
            EXIT_INVALID
        }
    }
}
