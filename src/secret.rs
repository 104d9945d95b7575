//! A string that must never be shown: client secrets, tokens, verifiers, codes.
//!
//! `Debug` is redacted and there is no `Display`, so a secret cannot slip into an
//! error message or `--verbose` output by accident; the one place that really needs
//! the value calls [`Secret::expose`]. It serializes transparently, for the store,
//! and its memory is wiped when it is dropped (with the process made non-dumpable in
//! `main`, a crash leaves no token in a core file).

use std::fmt;

use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

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

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A value kept outside the configuration file: `env:VAR` reads the environment,
/// `command:CMD` runs `sh -c CMD` and takes its standard output (without the final
/// line break). Anything else is not a reference (None).
pub fn resolve_reference(value: &str) -> Option<Result<Secret, String>> {
    if let Some(var) = value.strip_prefix("env:") {
        return Some(match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            _ => Err(format!("${var} is not set")),
        });
    }
    let cmd = value.strip_prefix("command:")?;
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output();
    Some(match output {
        Err(e) => Err(format!("cannot run its command: {e}")),
        Ok(out) => {
            let mut stdout = out.stdout;
            let value = String::from_utf8_lossy(&stdout)
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            stdout.zeroize();
            if !out.status.success() || value.is_empty() {
                Err(format!(
                    "its command failed ({}) or printed nothing",
                    out.status
                ))
            } else {
                Ok(Secret::new(value))
            }
        }
    })
}

/// Replaces every occurrence of each secret in `text` with `***`, for the rare
/// message that must quote what a server said.
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut redactor = Redactor::default();
    for s in secrets {
        redactor.add(s);
    }
    redactor.apply(text)
}

/// Every form in which a secret we sent can come back in a server's answer: as sent,
/// form- or percent-encoded, JSON-escaped, and as the base64 of an HTTP Basic
/// credential (`id:secret`, raw or form-encoded first, standard or URL-safe). A server
/// that echoes our request in its error text must not make us print or store it.
#[derive(Default)]
pub struct Redactor {
    needles: Vec<String>,
}

impl Redactor {
    /// Too short to search for without blanking ordinary words.
    const MIN: usize = 4;

    pub fn add(&mut self, secret: &Secret) {
        let raw = secret.expose();
        if raw.len() < Self::MIN {
            return;
        }
        let form: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
        let percent = form.replace('+', "%20");
        let json = serde_json::to_string(raw).unwrap_or_default();
        let json = json.trim_matches('"').to_owned();
        for needle in [raw.to_owned(), form, percent, json] {
            self.push(needle);
        }
    }

    /// The Basic credential built from `id` and `secret`, in every encoding.
    pub fn add_basic(&mut self, id: &str, secret: &Secret) {
        let form =
            |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        for pair in [
            format!("{id}:{}", secret.expose()),
            format!("{}:{}", form(id), form(secret.expose())),
        ] {
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                let encoded = engine.encode(pair.as_bytes());
                // Without padding too: a server may quote it trimmed.
                self.push(encoded.trim_end_matches('=').to_owned());
            }
        }
    }

    fn push(&mut self, needle: String) {
        if needle.len() >= Self::MIN && !self.needles.contains(&needle) {
            self.needles.push(needle);
        }
    }

    /// `text` with every known form of every secret replaced by `***` (longest first,
    /// so an encoded form is not half-replaced through a shorter one).
    pub fn apply(&self, text: &str) -> String {
        let mut needles: Vec<&String> = self.needles.iter().collect();
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut out = text.to_owned();
        for n in needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), "***");
            }
        }
        out
    }
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

    #[test]
    fn every_encoding_of_a_sent_secret_is_redacted() {
        let secret = Secret::new("s3cr3t value/+\"x");
        let mut r = Redactor::default();
        r.add(&secret);
        r.add_basic("my id", &secret);
        let basic = base64::engine::general_purpose::STANDARD.encode("my id:s3cr3t value/+\"x");
        let basic_form =
            base64::engine::general_purpose::STANDARD.encode("my+id:s3cr3t+value%2F%2B%22x");
        for echoed in [
            "s3cr3t value/+\"x".to_owned(),
            "s3cr3t+value%2F%2B%22x".to_owned(),
            "s3cr3t%20value%2F%2B%22x".to_owned(),
            "s3cr3t value/+\\\"x".to_owned(),
            format!("Basic {basic}"),
            format!("Basic {basic_form}"),
        ] {
            let out = r.apply(&format!("you sent [{echoed}]"));
            assert_eq!(out.matches("***").count(), 1, "{echoed} -> {out}");
            assert!(!out.contains("s3cr3t"), "{out}");
        }
    }
}
