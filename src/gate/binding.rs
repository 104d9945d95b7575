//! Tokens bound to their issuer (RFC 9728 §7.3 and MCP): a resource that says which
//! authorization servers it trusts, none of them the app's issuer, is sent none of
//! that app's tokens. What resources said is remembered per origin in
//! `STATE/resources.json`, so after the first refusal no token goes there again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::app::App;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Known {
    /// Origin -> (resource, its authorization servers).
    resources: BTreeMap<String, Vec<(String, Vec<String>)>>,
}

fn path(state_dir: &Path) -> std::path::PathBuf {
    state_dir.join("resources.json")
}

fn load(state_dir: &Path) -> Known {
    std::fs::read(path(state_dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn trim(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Why `app`'s token must not go to `url`, when a resource there is known to trust
/// other authorization servers only. Apps without an issuer are not judged.
pub fn refusal(state_dir: &Path, app: &App, url: &Url) -> Option<String> {
    let issuer = app.issuer.as_ref()?;
    let known = load(state_dir);
    let origin = url.origin().ascii_serialization();
    let (resource, servers) = known.resources.get(&origin)?.iter().find(|(resource, _)| {
        Url::parse(resource).is_ok_and(|r| {
            let (r, u) = (trim(r.path()), trim(url.path()));
            u == r || u.starts_with(&format!("{r}/"))
        })
    })?;
    if servers.is_empty() || servers.iter().any(|s| trim(s) == trim(issuer.as_str())) {
        return None;
    }
    Some(format!(
        "the resource {resource} trusts the authorization servers {} only, not `{}`'s issuer {}: its tokens are not sent there (RFC 9728); use an app of one of those servers (outbound app add NAME --from-url {resource})",
        servers.join(", "),
        app.name,
        trim(issuer.as_str())
    ))
}

/// Learns from a refusal's challenge: when it names the resource's metadata, reads it
/// (a best effort) and remembers which servers the resource trusts. Returns the
/// refusal for `app` that this knowledge gives, if any.
pub fn learn(state_dir: &Path, app: &App, url: &Url, challenge: &str) -> Option<String> {
    let named = crate::oauth::resource::Challenge::parse(challenge).resource_metadata?;
    app.issuer.as_ref()?;
    let http = crate::http::discovery_client(&app.name, app.proxy.as_ref(), app.ca_file.as_deref())
        .ok()?;
    let named = Url::parse(&named).ok()?;
    let response = http
        .get(named.as_str())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let meta: crate::oauth::resource::ResourceMetadata = response.json().ok()?;
    // The metadata must be about this origin to be believed for it.
    let resource = Url::parse(&meta.resource).ok()?;
    if resource.origin() != url.origin() {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    let _lock =
        crate::fsutil::lock_exclusive(&crate::fsutil::lock_path_for(&path(state_dir))).ok()?;
    let mut known = load(state_dir);
    let entries = known.resources.entry(origin).or_default();
    entries.retain(|(r, _)| trim(r) != trim(&meta.resource));
    entries.push((meta.resource.clone(), meta.authorization_servers.clone()));
    if let Ok(bytes) = serde_json::to_vec_pretty(&known) {
        let _ = crate::fsutil::write_atomic(&path(state_dir), &bytes);
    }
    refusal(state_dir, app, url)
}
