//! A string that must never be shown: client secrets, tokens, verifiers, codes.
//!
//! `Debug` is redacted and there is no `Display`, so a secret cannot slip into an
//! error message or `--verbose` output by accident; the one place that really needs
//! the value calls [`Secret::expose`]. It serializes transparently, for the store.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the single boundary that sends or stores it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Replaces every occurrence of each secret in `text` with `***`, for the rare
/// message that must quote what a server said.
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if s.expose().len() >= 4 {
            out = out.replace(s.expose(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn redact_replaces_every_secret() {
        let a = Secret::new("abcd1234");
        let b = Secret::new("zzzz9999");
        assert_eq!(
            redact("x abcd1234 y zzzz9999 abcd1234", &[&a, &b]),
            "x *** y *** ***"
        );
    }
}
