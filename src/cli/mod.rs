//! Command-line dispatch. Exit codes: 0 success, 1 runtime failure, 2 invalid input or usage.

mod address;
mod jwt;
mod sdl;
mod tx;

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
";

/// Runs the command with its arguments (without the program name); returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("sdl") => sdl::run(&args[1..]),
        Some("tx") => tx::run(&args[1..]),
        Some("address") => address::run(&args[1..]),
        Some("jwt") => jwt::run(&args[1..]),
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
