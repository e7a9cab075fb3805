//! `ic-akash tx` (being written).

pub fn run(_args: &[String]) -> i32 {
    eprintln!("ic-akash tx: not yet available");
    super::EXIT_FAILURE
}
