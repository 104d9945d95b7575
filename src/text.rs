//! Text from outside (a server's error, a callback's parameters) made safe to print
//! and store: control characters — terminal escapes, bells, line breaks that forge
//! extra lines — are shown escaped, never passed to the terminal.

/// `text` with every control character written as `\u{..}` (tabs become spaces).
pub fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// `text` as a sentence: a full stop added unless it already ends in one (or in
/// `?`, `!` or `…`), so a message that ends in a question is not followed by `?.`.
pub fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '?', '!', '…']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_end_once() {
        assert_eq!(
            sentence("is there a desktop session?"),
            "is there a desktop session?"
        );
        assert_eq!(sentence("it failed"), "it failed.");
        assert_eq!(sentence("it failed."), "it failed.");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("plain text é"), "plain text é");
        assert_eq!(
            printable("bad\u{1b}[31mred\u{7}\r\nnext"),
            "bad\\u{1b}[31mred\\u{7}\\u{d}\\u{a}next"
        );
        assert!(!printable("\u{9b}31m").contains('\u{9b}'));
    }
}
