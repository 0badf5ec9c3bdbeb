use thiserror::Error;

/// Longest accepted truck or driver id, in characters.
pub const MAX_ID_LEN: usize = 64;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// Empty after trimming.
    #[error("the id is empty")]
    Empty,
    /// Longer than [`MAX_ID_LEN`] characters after trimming.
    #[error("the id is longer than {MAX_ID_LEN} characters")]
    TooLong,
    /// Contains a control character (usually a broken export).
    #[error("the id contains control characters")]
    Control,
}

/// Trims an id and checks it is 1 to 64 printable characters.
pub fn normalize_id(raw: &str) -> Result<&str, IdError> {
    let id = raw.trim();
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    if id.chars().any(char::is_control) {
        return Err(IdError::Control);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_bounded() {
        assert_eq!(normalize_id("  T-01 "), Ok("T-01"));
        assert_eq!(normalize_id("   "), Err(IdError::Empty));
        assert_eq!(normalize_id(&"x".repeat(65)), Err(IdError::TooLong));
        assert_eq!(normalize_id(&"ñ".repeat(64)), Ok("ñ".repeat(64).as_str()));
        assert_eq!(normalize_id("a\u{0}b"), Err(IdError::Control));
    }
}
