//! `ic-akash`: the native command. It shares the protocol core with the orchestrator canister, so
//! what it prints is exactly what the canister would build and sign.

mod cli;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(cli::run(&args));
}
