//! `ic-akash jwt` (being written).

pub fn run(_args: &[String]) -> i32 {
    eprintln!("ic-akash jwt: not yet available");
    super::EXIT_FAILURE
}
