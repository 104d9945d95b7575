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

/// `n` and `word`, the word in the plural unless `n` is 1: "1 account", "2
/// accounts" (every word it is given takes an `s`).
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `singular` when `n` is 1, else `plural`: a verb that agrees with [`count`].
pub fn agree<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree() {
        assert_eq!(count(1, "account"), "1 account");
        assert_eq!(count(0, "problem"), "0 problems");
        assert_eq!(
            format!("{} {}", count(2, "secret"), agree(2, "uses", "use")),
            "2 secrets use"
        );
    }

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
