//! Text shown to users, kept short: a value quoted in an error message comes
//! from the user's file and may be megabytes long.

/// At most `max` characters of `text`; a longer text is cut with `…` and its length.
pub fn clip(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({count} characters)")
}

/// The longest message an error carries.
pub const MAX_MESSAGE: usize = 400;
/// The longest name (a column, a key) an error quotes.
pub const MAX_NAME: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_measured() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip(&"x".repeat(5_000_000), 3), "xxx… (5000000 characters)");
        assert_eq!(clip("ééé", 2), "éé… (3 characters)");
    }
}
