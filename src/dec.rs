//! Cosmos `LegacyDec` amounts: what the chain stores as a decimal with 18 fractional digits and
//! writes in protobuf as its integer atomics ("1.5" is written "1500000000000000000").

use std::fmt;

/// Fractional digits of a Cosmos `LegacyDec`.
pub const DEC_PRECISION: usize = 18;

/// Why a decimal amount was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecError {
    /// Empty string.
    Empty,
    /// A character other than a digit or one `.`.
    InvalidCharacter { position: usize },
    /// More than one `.`.
    MoreThanOneSeparator,
    /// More than 18 significant fractional digits.
    TooManyFractionalDigits,
    /// More digits than a `LegacyDec` can hold (its integer part is limited to 2^256).
    TooLarge,
}

impl fmt::Display for DecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecError::Empty => write!(f, "empty decimal"),
            DecError::InvalidCharacter { position } => {
                write!(f, "invalid character at position {position} (only digits and one '.')")
            }
            DecError::MoreThanOneSeparator => write!(f, "more than one '.'"),
            DecError::TooManyFractionalDigits => {
                write!(f, "more than {DEC_PRECISION} fractional digits")
            }
            DecError::TooLarge => write!(f, "too large for a Cosmos decimal"),
        }
    }
}

impl std::error::Error for DecError {}

/// Largest number of integer digits we accept (a `LegacyDec` holds up to 2^256 / 10^18, 59 digits;
/// staying below keeps every value valid on chain).
const MAX_INTEGER_DIGITS: usize = 58;

/// The atomics of a non-negative decimal string (`"12.5"` → `"12500000000000000000"`), as
/// `@cosmjs/math` `Decimal.fromUserInput(s, 18).atomics` computes them: leading zeros dropped,
/// trailing fractional zeros ignored, zero written `"0"`.
pub fn to_atomics(input: &str) -> Result<String, DecError> {
    if input.is_empty() {
        return Err(DecError::Empty);
    }
    if let Some(pos) = input.bytes().position(|b| !(b.is_ascii_digit() || b == b'.')) {
        return Err(DecError::InvalidCharacter { position: pos + 1 });
    }
    let mut parts = input.split('.');
    let whole = parts.next().unwrap_or("");
    let fractional = parts.next().unwrap_or("").trim_end_matches('0');
    if parts.next().is_some() {
        return Err(DecError::MoreThanOneSeparator);
    }
    if fractional.len() > DEC_PRECISION {
        return Err(DecError::TooManyFractionalDigits);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > MAX_INTEGER_DIGITS {
        return Err(DecError::TooLarge);
    }
    let mut digits = String::with_capacity(whole.len() + DEC_PRECISION);
    digits.push_str(whole);
    digits.push_str(fractional);
    digits.extend(std::iter::repeat_n('0', DEC_PRECISION - fractional.len()));
    let trimmed = digits.trim_start_matches('0');
    Ok(if trimmed.is_empty() { "0".to_string() } else { trimmed.to_string() })
}

/// The decimal string of atomics (`"12500000000000000000"` → `"12.5"`), the inverse of
/// [`to_atomics`] for display.
pub fn from_atomics(atomics: &str) -> Result<String, DecError> {
    if atomics.is_empty() {
        return Err(DecError::Empty);
    }
    if let Some(pos) = atomics.bytes().position(|b| !b.is_ascii_digit()) {
        return Err(DecError::InvalidCharacter { position: pos + 1 });
    }
    let digits = atomics.trim_start_matches('0');
    let padded = format!("{digits:0>width$}", width = DEC_PRECISION + 1);
    let (whole, frac) = padded.split_at(padded.len() - DEC_PRECISION);
    let frac = frac.trim_end_matches('0');
    Ok(if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomics_match_cosmjs() {
        assert_eq!(to_atomics("1").unwrap(), "1000000000000000000");
        assert_eq!(to_atomics("12.5").unwrap(), "12500000000000000000");
        assert_eq!(to_atomics("0").unwrap(), "0");
        assert_eq!(to_atomics("0.000000000000000001").unwrap(), "1");
        assert_eq!(to_atomics(".5").unwrap(), "500000000000000000");
        assert_eq!(to_atomics("007.10").unwrap(), "7100000000000000000");
        assert_eq!(to_atomics("1.0000000000000000000").unwrap(), "1000000000000000000");
    }

    #[test]
    fn atomics_refuse_bad_input() {
        assert_eq!(to_atomics(""), Err(DecError::Empty));
        assert_eq!(to_atomics("1e5"), Err(DecError::InvalidCharacter { position: 2 }));
        assert_eq!(to_atomics("-1"), Err(DecError::InvalidCharacter { position: 1 }));
        assert_eq!(to_atomics("1.2.3"), Err(DecError::MoreThanOneSeparator));
        assert_eq!(to_atomics("0.0000000000000000001"), Err(DecError::TooManyFractionalDigits));
        assert_eq!(to_atomics(&"9".repeat(59)), Err(DecError::TooLarge));
    }

    #[test]
    fn from_atomics_round_trips() {
        for s in ["1", "12.5", "0", "0.000000000000000001", "123456789.987654321"] {
            assert_eq!(from_atomics(&to_atomics(s).unwrap()).unwrap(), s);
        }
    }
}
