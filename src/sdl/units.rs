//! Resource quantities and orderings exactly as `@akashnetwork/chain-sdk` computes them.
//!
//! Sizes follow the SDK's arithmetic (a double times a power of 1000 or 1024, rounded up), which
//! is deterministic IEEE-754 here as in JavaScript; these are resource sizes, never money.
//! Results that are not whole numbers, or that do not fit in a `u64`, are refused: the chain would
//! refuse them too.

use std::cmp::Ordering;

/// Why a quantity was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// Not `<number><unit>`; the string is kept for the message.
    Malformed(String),
    /// A unit that is not one of k, m, g, t, p, e (optionally followed by `i` for powers of 1024).
    UnknownUnit(String),
    /// Zero, fractional or too large to be a valid quantity.
    OutOfRange(String),
}

impl std::fmt::Display for QuantityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuantityError::Malformed(s) => {
                write!(f, "{s:?} is not a quantity such as 512Mi, 1Gi, 1.5G or 100m")
            }
            QuantityError::UnknownUnit(s) => {
                write!(f, "{s:?} has an unknown unit (use k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei)")
            }
            QuantityError::OutOfRange(s) => write!(f, "{s:?} is not a whole number of units that fits in 64 bits"),
        }
    }
}

const PREFIXES: &[u8] = b"kmgtpe";
/// 2^53: above it a double no longer holds every integer, so the SDK's result would be inexact.
const MAX_EXACT_F64: f64 = 9_007_199_254_740_992.0;

/// Splits `^([\d.]+)([a-zA-Z]*)$` into the number (as JavaScript's `parseFloat` reads it) and
/// the unit letters (as written; callers compare them ignoring case); `min_unit_letters` is 1 for
/// sizes (the SDK requires a unit) and 0 for CPU.
fn split_number(s: &str, min_unit_letters: usize) -> Result<(f64, &str), QuantityError> {
    let digits_end = s.bytes().position(|b| !(b.is_ascii_digit() || b == b'.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(digits_end);
    if num.is_empty() || unit.len() < min_unit_letters || !unit.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(QuantityError::Malformed(s.to_string()));
    }
    // parseFloat reads the longest valid prefix ("1.2.3" → 1.2); a number with no digit is NaN.
    let mut seen_dot = false;
    let mut end = 0;
    for (i, b) in num.bytes().enumerate() {
        if b == b'.' {
            if seen_dot {
                break;
            }
            seen_dot = true;
        }
        end = i + 1;
    }
    let lit = &num[..end];
    if !lit.bytes().any(|b| b.is_ascii_digit()) {
        return Err(QuantityError::Malformed(s.to_string()));
    }
    // Rust reads "5." and ".5" as parseFloat does (5 and 0.5), correctly rounded.
    let value = lit.parse::<f64>().map_err(|_| QuantityError::Malformed(s.to_string()))?;
    Ok((value, unit))
}

/// `value` as a whole number of units, if it is one (and exact in a double).
fn whole(value: f64) -> Option<u64> {
    (value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_EXACT_F64).then_some(value as u64)
}

/// Bytes of a memory or storage size (`"512Mi"` → 536870912, `"1.5G"` → 1500000000): the SDK's
/// `convertResourceString` (value × 1000^n or 1024^n for a unit ending in `i`, rounded up).
pub fn size_bytes(s: &str) -> Result<u64, QuantityError> {
    let (value, unit) = split_number(s, 1)?;
    let letter = |i: usize| unit.as_bytes().get(i).map(u8::to_ascii_lowercase);
    let power = letter(0).and_then(|prefix| PREFIXES.iter().position(|&p| p == prefix));
    // The SDK ignores any letters after the first unless the second is `i`; we accept only the
    // forms people mean: "k", "ki", "kb" (and the bare prefix), nothing stranger.
    let binary = match (letter(1), letter(2), unit.len()) {
        (None, _, _) | (Some(b'b'), None, _) => false,
        (Some(b'i'), None, _) | (Some(b'i'), Some(b'b'), 3) => true,
        _ => return Err(QuantityError::UnknownUnit(s.to_string())),
    };
    let Some(power) = power else {
        return Err(QuantityError::UnknownUnit(s.to_string()));
    };
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    match whole((value * base.powi(power as i32 + 1)).ceil()) {
        Some(bytes) if bytes > 0 => Ok(bytes),
        _ => Err(QuantityError::OutOfRange(s.to_string())),
    }
}

/// Millicpu of a CPU string (`"0.5"` → 500, `"100m"` → 100): the SDK's `convertCpuResourceString`.
pub fn cpu_millis_from_str(s: &str) -> Result<u64, QuantityError> {
    let (value, unit) = split_number(s, 0)?;
    let millis = if unit.eq_ignore_ascii_case("m") {
        value
    } else if unit.is_empty() {
        value * 1000.0
    } else {
        return Err(QuantityError::UnknownUnit(s.to_string()));
    };
    match whole(millis) {
        Some(m) if m > 0 => Ok(m),
        _ => Err(QuantityError::OutOfRange(s.to_string())),
    }
}

/// Millicpu of a numeric CPU count (`0.5` → 500), as the SDK computes `units * 1000`.
pub fn cpu_millis_from_number(n: f64) -> Result<u64, QuantityError> {
    match whole(n * 1000.0) {
        Some(m) if m > 0 => Ok(m),
        _ => Err(QuantityError::OutOfRange(crate::yaml::js_number_string(n))),
    }
}

/// Primary collation weights of printable ASCII under the Unicode root collation that
/// JavaScript's `localeCompare` uses: white space, punctuation, symbols, digits, then letters with
/// upper and lower case sharing a weight.
const ROOT_ORDER: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

fn primary(c: char) -> u32 {
    let folded = c.to_ascii_lowercase();
    match ROOT_ORDER.find(folded) {
        Some(i) if c.is_ascii() => i as u32,
        // Outside printable ASCII: after everything above, by code point (SDL names are ASCII).
        _ => 1000 + c as u32,
    }
}

/// `a.localeCompare(b)` as Node.js computes it for the names that appear in SDL files: compare
/// primary weights (case-insensitive) first, then case, lower case first.
pub fn locale_compare(a: &str, b: &str) -> Ordering {
    let pa = a.chars().map(primary);
    let pb = b.chars().map(primary);
    match pa.cmp(pb) {
        Ordering::Equal => {}
        other => return other,
    }
    let ta = a.chars().map(|c| c.is_ascii_uppercase());
    let tb = b.chars().map(|c| c.is_ascii_uppercase());
    match ta.cmp(tb) {
        Ordering::Equal => a.cmp(b),
        other => other,
    }
}

/// JavaScript's default `Array.prototype.sort` order: UTF-16 code units.
pub fn code_unit_compare(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_sdk() {
        assert_eq!(size_bytes("512Mi"), Ok(536_870_912));
        assert_eq!(size_bytes("1Gi"), Ok(1_073_741_824));
        assert_eq!(size_bytes("1G"), Ok(1_000_000_000));
        assert_eq!(size_bytes("1.5Gi"), Ok(1_610_612_736));
        assert_eq!(size_bytes("0.1Gi"), Ok(107_374_183)); // rounded up
        assert_eq!(size_bytes("100mi"), Ok(104_857_600));
        assert_eq!(size_bytes("1k"), Ok(1000));
        assert_eq!(size_bytes("2GB"), Ok(2_000_000_000));
        assert_eq!(size_bytes("1Ti"), Ok(1_099_511_627_776));
        // 2^60 is exact in a double but above 2^53, where JavaScript would print rounded digits.
        assert!(matches!(size_bytes("1Ei"), Err(QuantityError::OutOfRange(_))));
        assert_eq!(size_bytes("1Pi"), Ok(1_125_899_906_842_624));
        // parseFloat's reading of odd numbers, and units in any case.
        assert_eq!(size_bytes(".5Gi"), Ok(536_870_912));
        assert_eq!(size_bytes("5.Gi"), Ok(5_368_709_120));
        assert_eq!(size_bytes("1.2.3Gi"), Ok(1_288_490_189));
        assert_eq!(size_bytes("1KIB"), Ok(1024));
        assert_eq!(size_bytes("1kB"), Ok(1000));
        for bad in ["1Kx", "1bi", "1kib2", "1kbb", "1kibb", ".Gi", "Gi", "1"] {
            assert!(size_bytes(bad).is_err(), "{bad}");
        }
        assert_eq!(cpu_millis_from_str("100M"), Ok(100));
        assert_eq!(cpu_millis_from_str(".5"), Ok(500));
        assert!(matches!(cpu_millis_from_str("0.5m"), Err(QuantityError::OutOfRange(_))));
        assert_eq!(cpu_millis_from_number(0.0), Err(QuantityError::OutOfRange("0".into())));
    }

    #[test]
    fn bad_sizes_are_refused() {
        assert!(matches!(size_bytes("512"), Err(QuantityError::Malformed(_))));
        assert!(matches!(size_bytes("Mi"), Err(QuantityError::Malformed(_))));
        assert!(matches!(size_bytes("1x"), Err(QuantityError::UnknownUnit(_))));
        assert!(matches!(size_bytes("1Gix"), Err(QuantityError::UnknownUnit(_))));
        assert!(matches!(size_bytes("-1Gi"), Err(QuantityError::Malformed(_))));
        assert!(matches!(size_bytes("0Gi"), Err(QuantityError::OutOfRange(_))));
        assert!(matches!(size_bytes("100000Ei"), Err(QuantityError::OutOfRange(_))));
    }

    #[test]
    fn cpu_units() {
        assert_eq!(cpu_millis_from_str("1"), Ok(1000));
        assert_eq!(cpu_millis_from_str("0.5"), Ok(500));
        assert_eq!(cpu_millis_from_str("100m"), Ok(100));
        assert_eq!(cpu_millis_from_number(0.25), Ok(250));
        assert_eq!(cpu_millis_from_number(4.0), Ok(4000));
        assert!(cpu_millis_from_str("100.5m").is_err());
        assert!(cpu_millis_from_str("1x").is_err());
        assert!(cpu_millis_from_number(0.0001).is_err());
        assert!(cpu_millis_from_number(0.0).is_err());
    }

    #[test]
    fn locale_order_matches_node() {
        // Expectations taken from Node.js 20 `localeCompare` (en-US).
        let less = [("a", "A"), ("ab", "B"), ("a_b", "a-b"), ("a-b", "ab"), ("a-1", "a1"), ("web", "Web"),
            ("Web", "web2"), ("a", "a "), ("aB", "Ab"), ("x-1", "x1"), ("s10", "s9")];
        for (a, b) in less {
            assert_eq!(locale_compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(locale_compare(b, a), Ordering::Greater, "{b} > {a}");
        }
        assert_eq!(code_unit_compare("B", "a"), Ordering::Less);
    }
}
