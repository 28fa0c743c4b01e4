//! Bounding untrusted text before it is kept in an error.

/// The default bound of [`excerpt`]: enough to recognise a `kid`, an issuer
/// or a claim name, too little to carry a token.
pub const EXCERPT_LEN: usize = 64;

/// `value` cut to at most `max` bytes on a character boundary, with an
/// ellipsis when shortened.
///
/// Every crate of this workspace passes text chosen by a token, a header or
/// a remote server through this before storing it in an error, so an error
/// never carries an unbounded amount of attacker-chosen text.
///
/// ```
/// assert_eq!(jose_core::excerpt("kid-1", 64), "kid-1");
/// assert_eq!(jose_core::excerpt("ééé", 3), "é…");
/// ```
pub fn excerpt(value: &str, max: usize) -> String {
    if value.len() <= max {
        return value.to_owned();
    }
    let mut end = max;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_text_on_char_boundaries() {
        assert_eq!(excerpt("short", EXCERPT_LEN), "short");
        let cut = excerpt(&"é".repeat(100), EXCERPT_LEN);
        assert!(cut.len() <= EXCERPT_LEN + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt("abc", 0), "…");
    }
}
