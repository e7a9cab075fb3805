//! `ic-akash address` (being written).

pub fn run(_args: &[String]) -> i32 {
    eprintln!("ic-akash address: not yet available");
    super::EXIT_FAILURE
}
