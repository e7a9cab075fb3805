//! `ic-akash sdl` (being written).

pub fn run(_args: &[String]) -> i32 {
    eprintln!("ic-akash sdl: not yet available");
    super::EXIT_FAILURE
}
