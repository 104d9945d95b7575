//! The documentation kept honest: every `outbound …` command in a shell block of
//! README.md and docs/*.md parses with the real command-line definition, and every link
//! between those pages (a relative file, a `#heading`) leads somewhere.
//!
//! A shell line is read as a shell would split it, just far enough to find the
//! `outbound` invocations in it: continuation lines are joined, comments dropped, and
//! pipes, `&&`, `;`, redirections, `$(…)`, `<(…)` and `VAR=value` prefixes are taken
//! apart, so `curl -H "Authorization: Bearer $(outbound token github)" …` checks
//! `outbound token github`. A value written as a placeholder in capitals (`--format
//! FORMAT`) stands for any value clap would take.

use std::path::{Path, PathBuf};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// README.md and every page under docs/, in a stable order.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|dir| {
            dir.filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect()
        })
        .unwrap_or_default();
    docs.sort();
    pages.extend(docs);
    pages
}

fn read(page: &Path) -> String {
    std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()))
}

/// The page's name as a failure names it: relative to the crate's root.
fn shown(page: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    page.strip_prefix(root)
        .unwrap_or(page)
        .display()
        .to_string()
}

/// A fence's opening: its marker (``` or ~~~) and info string.
fn fence(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    ["```", "~~~"]
        .into_iter()
        .find(|m| t.starts_with(m))
        .map(|m| (m, t.trim_start_matches(&m[..1]).trim()))
}

/// The lines of the page's shell code blocks, with their 1-based line numbers, each
/// continuation (`\` at the end) joined to the line it continues.
fn shell_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(&str, bool)> = None; // (marker, a shell block)
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        match open {
            None => {
                if let Some((marker, info)) = fence(line) {
                    let lang = info.split([' ', ',', '{']).next().unwrap_or("");
                    open = Some((marker, matches!(lang, "sh" | "bash" | "shell")));
                }
            }
            Some((marker, shell)) => {
                if line.trim_start().starts_with(marker)
                    && fence(line).is_some_and(|f| f.1.is_empty())
                {
                    open = None;
                    if let Some(p) = pending.take() {
                        out.push(p);
                    }
                    continue;
                }
                if !shell {
                    continue;
                }
                let (start, mut joined) = pending.take().unwrap_or((number, String::new()));
                joined.push_str(line);
                match joined.trim_end().strip_suffix('\\') {
                    Some(rest) => pending = Some((start, format!("{rest} "))),
                    None => out.push((start, joined)),
                }
            }
        }
    }
    out.extend(pending);
    out
}

/// Splits one shell line into its simple commands (words after quoting), recursing into
/// command substitutions; each simple command's words, in order of appearance.
struct Shell<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    commands: Vec<Vec<String>>,
}

impl<'a> Shell<'a> {
    fn split(line: &'a str) -> Vec<Vec<String>> {
        let mut shell = Shell {
            chars: line.chars().peekable(),
            commands: Vec::new(),
        };
        shell.list(false);
        shell.commands
    }

    /// Reads simple commands until the end (or, nested, the closing `)`).
    fn list(&mut self, nested: bool) {
        let mut words: Vec<String> = Vec::new();
        let mut word: Option<String> = None;
        while let Some(c) = self.chars.next() {
            match c {
                ' ' | '\t' => Self::end_word(&mut words, &mut word),
                // `2>&1`, `>&2`: part of a redirection, not a background job.
                '&' if word.as_deref().is_some_and(|w| w.ends_with(['<', '>'])) => {
                    word.get_or_insert_with(String::new).push(c);
                }
                '#' if word.is_none() => {
                    // A comment to the end of the line (or of the substitution).
                    while self.chars.peek().is_some_and(|&c| !(nested && c == ')')) {
                        self.chars.next();
                    }
                }
                // Operators end a command; braces only as words of their own (`${VAR}` and
                // curl's `%{http_code}` are parts of a word).
                '|' | '&' | ';' | '(' => {
                    Self::end_word(&mut words, &mut word);
                    self.end_command(&mut words);
                }
                '{' | '}' if word.is_none() => self.end_command(&mut words),
                ')' => {
                    Self::end_word(&mut words, &mut word);
                    self.end_command(&mut words);
                    if nested {
                        return;
                    }
                }
                '\'' => {
                    let w = word.get_or_insert_with(String::new);
                    for c in self.chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                        w.push(c);
                    }
                }
                '"' => {
                    word.get_or_insert_with(String::new);
                    while let Some(c) = self.chars.next() {
                        match c {
                            '"' => break,
                            '\\' => {
                                if let Some(n) = self.chars.next() {
                                    word.get_or_insert_with(String::new).push(n);
                                }
                            }
                            '$' if self.chars.peek() == Some(&'(') => {
                                self.chars.next();
                                self.substitution(&mut word);
                            }
                            c => word.get_or_insert_with(String::new).push(c),
                        }
                    }
                }
                '\\' => {
                    if let Some(n) = self.chars.next() {
                        word.get_or_insert_with(String::new).push(n);
                    }
                }
                '$' | '<' | '>' if self.chars.peek() == Some(&'(') => {
                    self.chars.next();
                    self.substitution(&mut word);
                }
                c => word.get_or_insert_with(String::new).push(c),
            }
        }
        Self::end_word(&mut words, &mut word);
        self.end_command(&mut words);
    }

    /// `$(…)`: its commands are checked in their own right; the word gets a stand-in.
    fn substitution(&mut self, word: &mut Option<String>) {
        let mut inner = Shell {
            chars: std::mem::replace(&mut self.chars, "".chars().peekable()),
            commands: Vec::new(),
        };
        inner.list(true);
        self.chars = inner.chars;
        self.commands.extend(inner.commands);
        word.get_or_insert_with(String::new)
            .push_str("SUBSTITUTION");
    }

    fn end_word(words: &mut Vec<String>, word: &mut Option<String>) {
        if let Some(w) = word.take() {
            words.push(w);
        }
    }

    /// Ends a simple command: redirections (and their targets) are not its words.
    fn end_command(&mut self, words: &mut Vec<String>) {
        let mut kept = Vec::new();
        let mut iter = std::mem::take(words).into_iter();
        while let Some(w) = iter.next() {
            let op = w.trim_start_matches(|c: char| c.is_ascii_digit());
            if let Some(rest) = op.strip_prefix(['<', '>']) {
                let target = rest.trim_start_matches(['<', '>', '&']);
                if target.is_empty() && !rest.ends_with('&') {
                    iter.next();
                }
                continue;
            }
            kept.push(w);
        }
        if !kept.is_empty() {
            self.commands.push(kept);
        }
    }
}

/// The `outbound` invocations among a line's simple commands: the words from `outbound`
/// on, past `VAR=value` prefixes and shell keywords.
fn invocations(line: &str) -> Vec<Vec<String>> {
    Shell::split(line)
        .into_iter()
        .filter_map(|words| {
            let start = words.iter().position(|w| {
                let assignment = w.split_once('=').is_some_and(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                !assignment && !matches!(w.as_str(), "do" | "then" | "else" | "time" | "!" | "exec")
            })?;
            let program = &words[start];
            (program == "outbound" || program.ends_with("/outbound"))
                .then(|| words[start..].to_vec())
        })
        .collect()
}

/// A placeholder such as `FORMAT` or `APP`: capitals, digits, `_`, `-`.
fn placeholder(value: &str) -> bool {
    value.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Parses as the binary does; a placeholder given where clap wants one of a list is
/// replaced by the first of that list and the command tried again.
fn parse(words: &[String]) -> Result<(), clap::Error> {
    let mut words = words.to_vec();
    for _ in 0..=words.len() {
        let parsed = Cli::command()
            .try_get_matches_from(&words)
            .and_then(|m| Cli::from_arg_matches(&m));
        let e = match parsed {
            Ok(_) => return Ok(()),
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                return Ok(());
            }
            Err(e) => e,
        };
        let (Some(ContextValue::String(bad)), Some(ContextValue::Strings(valid))) = (
            e.get(ContextKind::InvalidValue),
            e.get(ContextKind::ValidValue),
        ) else {
            return Err(e);
        };
        let (Some(first), Some(at)) = (valid.first(), words.iter().position(|w| w == bad)) else {
            return Err(e);
        };
        if !placeholder(bad) {
            return Err(e);
        }
        words[at] = first.clone();
    }
    Ok(())
}

#[test]
fn every_outbound_command_in_the_docs_parses() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in pages() {
        for (number, line) in shell_lines(&read(&page)) {
            for words in invocations(&line) {
                checked += 1;
                if let Err(e) = parse(&words) {
                    failures.push(format!(
                        "{}:{number}: `{}`\n{}",
                        shown(&page),
                        words.join(" "),
                        e.render()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} `outbound` commands found in the docs' shell blocks"
    );
    assert!(
        failures.is_empty(),
        "{} in the docs do not parse:\n\n{}",
        crate::text::count(failures.len(), "command"),
        failures.join("\n")
    );
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (outside code blocks), duplicates numbered as
/// GitHub numbers them.
fn anchors(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_code: Option<&str> = None;
    for line in text.lines() {
        if let Some((marker, _)) = fence(line) {
            match in_code {
                None => in_code = Some(marker),
                Some(m) if m == marker => in_code = None,
                Some(_) => {}
            }
            continue;
        }
        if in_code.is_some() {
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = anchor(&line[hashes..]);
            let n = out
                .iter()
                .filter(|a| {
                    **a == base
                        || a.strip_prefix(&format!("{base}-"))
                            .is_some_and(|s| s.parse::<u32>().is_ok())
                })
                .count();
            out.push(if n == 0 { base } else { format!("{base}-{n}") });
        }
    }
    out
}

/// `[text](target)` links outside code, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_code: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some((marker, _)) = fence(line) {
            match in_code {
                None => in_code = Some(marker),
                Some(m) if m == marker => in_code = None,
                Some(_) => {}
            }
            continue;
        }
        if in_code.is_some() {
            continue;
        }
        // Code spans are not links.
        let mut plain = String::new();
        for (n, part) in line.split('`').enumerate() {
            if n % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((i + 1, after[..end].trim().to_string()));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_link_between_the_docs_resolves() {
    let mut failures = Vec::new();
    for page in pages() {
        let text = read(&page);
        for (number, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(Path::new(".")).join(path)
            };
            let at = format!("{}:{number}: ({target})", shown(&page));
            if !file.exists() {
                failures.push(format!("{at}: {} does not exist", file.display()));
                continue;
            }
            if fragment.is_empty() {
                continue;
            }
            if file.extension().is_none_or(|e| e != "md") {
                failures.push(format!("{at}: an anchor into a file that is not Markdown"));
                continue;
            }
            if !anchors(&read(&file)).iter().any(|a| a == fragment) {
                failures.push(format!(
                    "{at}: {} has no heading with the anchor #{fragment}",
                    shown(&file)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "broken links in the docs:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_shell_reading_finds_each_invocation() {
    let found =
        |line: &str| -> Vec<String> { invocations(line).iter().map(|w| w.join(" ")).collect() };
    assert_eq!(
        found(r#"curl -H "Authorization: Bearer $(outbound token github)" …   # a comment"#),
        ["outbound token github"]
    );
    assert_eq!(
        found(
            "OUTBOUND_STORE=postgres outbound app list 2>&1 | head -1 && outbound status --json > s.json"
        ),
        ["outbound app list", "outbound status --json"]
    );
    assert_eq!(
        found("outbound app add x --client-secret-stdin < secret.txt; echo '# not outbound'"),
        ["outbound app add x --client-secret-stdin"]
    );
    assert_eq!(
        found(r#"eval "$(outbound token APP --format env)""#),
        ["outbound token APP --format env"]
    );
    assert_eq!(
        found("source <(outbound completions bash)"),
        ["outbound completions bash"]
    );
    assert_eq!(
        found("outbound curl -sf -w '%{http_code}\\n' gh https://x/#frag"),
        ["outbound curl -sf -w %{http_code}\\n gh https://x/#frag"]
    );
    let joined = shell_lines("```sh\noutbound app add a \\\n    --client-id x\n```\n");
    assert_eq!(
        joined,
        [(2, "outbound app add a      --client-id x".to_string())]
    );
    assert!(
        parse(
            &found("outbound token APP --format FORMAT")
                .remove(0)
                .split(' ')
                .map(String::from)
                .collect::<Vec<_>>()
        )
        .is_ok()
    );
    assert!(parse(&["outbound".into(), "tokn".into()]).is_err());
}

#[test]
fn anchors_are_githubs() {
    assert_eq!(
        anchor(" Tokens in scripts: `token` and `curl`"),
        "tokens-in-scripts-token-and-curl"
    );
    assert_eq!(
        anchor(" The gate: one decision before a token leaves"),
        "the-gate-one-decision-before-a-token-leaves"
    );
    assert_eq!(
        anchors("# A\n```sh\n# not a heading\n```\n## A\n"),
        ["a", "a-1"]
    );
}

/// `--help` and the man pages point at docs/json.md, and README.md links into docs/:
/// the package (what `cargo install` builds from) must ship them.
#[test]
fn the_package_ships_the_docs() {
    let manifest = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    let include = manifest
        .lines()
        .find(|l| l.starts_with("include = "))
        .unwrap_or_default();
    for entry in ["\"/README.md\"", "\"docs/**\""] {
        assert!(
            include.contains(entry),
            "Cargo.toml's include lacks {entry}: {include}"
        );
    }
}
