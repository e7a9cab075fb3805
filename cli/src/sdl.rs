//! `ic-akash sdl check FILE [--json]`: validates an SDL with the same core the canister uses and
//! prints its deployment hash, GroupSpecs, manifest and a summary.

use super::EXIT_INVALID;
use ic_akash::sdl;
use serde_json::json;

const USAGE: &str = "\
ic-akash sdl check FILE [--json]

Validates an Akash SDL (2.0/2.1). Exit 0 when valid, 2 when invalid (the error, with the path of the
offending field, on stderr). With --json, prints one JSON object: version (hex deployment hash),
groups_proto (hex protobuf of each GroupSpec), manifest (what is sent to the provider) and summary.
FILE may be - for standard input.
";

pub fn run(args: &[String]) -> i32 {
    let (mut file, mut as_json) = (None, false);
    match args.first().map(String::as_str) {
        Some("check") => {}
        Some("-h") | Some("--help") => {
            print!("{USAGE}");
            return 0;
        }
        _ => {
            eprint!("{USAGE}");
            return EXIT_INVALID;
        }
    }
    for a in &args[1..] {
        match a.as_str() {
            "--json" => as_json = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return 0;
            }
            f if file.is_none() && (f == "-" || !f.starts_with('-')) => file = Some(f.to_string()),
            other => {
                eprintln!("ic-akash sdl check: unexpected argument {other:?}\n\n{USAGE}");
                return EXIT_INVALID;
            }
        }
    }
    let Some(file) = file else {
        eprint!("{USAGE}");
        return EXIT_INVALID;
    };
    let text = match read_limited(&file) {
        Ok(t) => t,
        Err((code, msg)) => {
            eprintln!("ic-akash sdl check: {msg}");
            return code;
        }
    };
    let parsed = match sdl::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: invalid SDL: {e}");
            return EXIT_INVALID;
        }
    };
    let summary = match parsed.summary() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: invalid SDL: {e}");
            return EXIT_INVALID;
        }
    };
    if as_json {
        let out = json!({
            "valid": true,
            "version": hex::encode(parsed.version()),
            "groups_proto": parsed.groups_proto().iter().map(hex::encode).collect::<Vec<_>>(),
            "manifest": parsed.manifest(),
            "manifest_json": parsed.manifest_json(),
            "summary": summary,
        });
        println!("{out}");
    } else {
        print_summary(&file, &parsed, &summary);
    }
    0
}

/// Reads an SDL file (or stdin for `-`), refusing anything over the SDL limit before reading
/// it all; shared with `tx build`, which takes SDL files too.
pub(crate) fn read_limited(file: &str) -> Result<String, (i32, String)> {
    super::read_text(file, sdl::MAX_SDL_BYTES as u64)
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut i = 0;
    let mut whole = n;
    while whole >= 1024 && whole.is_multiple_of(1024) && i < UNITS.len() - 1 {
        whole /= 1024;
        i += 1;
    }
    format!("{whole} {}", UNITS[i])
}

fn print_summary(file: &str, parsed: &sdl::Sdl, s: &sdl::Summary) {
    println!("{file}: valid SDL {}", s.sdl_version);
    println!("deployment hash: {}", hex::encode(parsed.version()));
    println!("groups: {}", parsed.group_specs().iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", "));
    println!("services:");
    for svc in &s.services {
        println!(
            "  {} ({}) on {} x{}: {} mCPU, {} memory, {} storage{}; max {} {} per block each",
            svc.name,
            svc.image,
            svc.placement,
            svc.count,
            svc.cpu_millis,
            human_bytes(svc.memory_bytes),
            human_bytes(svc.storage_bytes),
            if svc.gpu_units > 0 { format!(", {} GPU", svc.gpu_units) } else { String::new() },
            svc.price_per_block,
            svc.denom
        );
    }
    println!("maximum price (bids are usually lower; 30 days = {} blocks of {} s):", s.blocks_per_30_days, sdl::BLOCK_TIME_MS / 1000);
    for p in &s.prices {
        println!("  {} {} per block, {} {} per 30 days", p.per_block, p.denom, p.per_30_days, p.denom);
    }
}
