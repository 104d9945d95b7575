//! How a preset's URL parameter is checked (`param_checks`): a DNS label (a
//! subdomain, a shop), a host name (a tenant's domain, optionally with a port), or
//! one of a list (a region).

/// A parameter's check, parsed from its `param_checks` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamCheck {
    /// `dns-label`: letters, digits and `-`, 1 to 63, not starting or ending with `-`.
    DnsLabel,
    /// `hostname`: DNS labels joined by `.`, with an optional `:port`.
    Hostname,
    /// `one-of:us,eu,au`: exactly one of these.
    OneOf(Vec<String>),
}

impl ParamCheck {
    pub fn parse(text: &str) -> Result<ParamCheck, String> {
        match text {
            "dns-label" => Ok(ParamCheck::DnsLabel),
            "hostname" => Ok(ParamCheck::Hostname),
            other => match other.strip_prefix("one-of:") {
                Some(list) => {
                    let items: Vec<String> = list.split(',').map(str::to_owned).collect();
                    if items
                        .iter()
                        .any(|i| i.is_empty() || i.contains(char::is_whitespace))
                    {
                        Err(format!(
                            "`{text}`: one-of needs a comma-separated list of words"
                        ))
                    } else {
                        Ok(ParamCheck::OneOf(items))
                    }
                }
                None => Err(format!(
                    "`{text}` is not a parameter check; write dns-label, hostname or one-of:A,B"
                )),
            },
        }
    }

    /// Whether `value` passes; else why not, in words a person can act on.
    pub fn check(&self, value: &str) -> Result<(), String> {
        match self {
            ParamCheck::DnsLabel => dns_label(value).map_err(|why| {
                format!("{why} (a single DNS label: letters, digits and `-`, such as `acme`)")
            }),
            ParamCheck::Hostname => hostname(value).map_err(|why| {
                format!("{why} (a host name such as `acme.example.com`, optionally with `:PORT`)")
            }),
            ParamCheck::OneOf(items) if items.iter().any(|i| i == value) => Ok(()),
            ParamCheck::OneOf(items) => Err(format!("choose one of {}", items.join(", "))),
        }
    }
}

fn dns_label(label: &str) -> Result<(), String> {
    if label.is_empty() || label.len() > 63 {
        return Err("a label has 1 to 63 characters".to_owned());
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!("`{c}` is not allowed in a DNS label"));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("a DNS label neither starts nor ends with `-`".to_owned());
    }
    Ok(())
}

fn hostname(value: &str) -> Result<(), String> {
    let (host, port) = match value.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (value, None),
    };
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p != 0)
    {
        return Err(format!("`{port}` is not a port"));
    }
    if host.len() > 253 {
        return Err("a host name has at most 253 characters".to_owned());
    }
    host.split('.').try_for_each(dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_accept_and_refuse() {
        let label = ParamCheck::parse("dns-label").unwrap();
        assert!(label.check("acme-1").is_ok());
        for bad in ["", "-acme", "acme-", "a.b", "a_b", "ä", &"a".repeat(64)] {
            assert!(label.check(bad).is_err(), "{bad}");
        }
        let host = ParamCheck::parse("hostname").unwrap();
        for good in [
            "acme.okta.com",
            "common",
            "127.0.0.1:8443",
            "Acme.Example.COM",
        ] {
            assert!(host.check(good).is_ok(), "{good}");
        }
        for bad in [
            "acme..com",
            ".acme.com",
            "acme.com:",
            "acme.com:0",
            "acme.com:99999",
            "a b",
        ] {
            assert!(host.check(bad).is_err(), "{bad}");
        }
        let region = ParamCheck::parse("one-of:us,eu,au").unwrap();
        assert!(region.check("eu").is_ok());
        let err = region.check("EU").unwrap_err();
        assert!(err.contains("us, eu, au"), "{err}");
        for bad in ["one-of:", "one-of:a,,b", "regex:.*", "dns_label"] {
            assert!(ParamCheck::parse(bad).is_err(), "{bad}");
        }
    }
}
