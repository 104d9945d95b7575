//! Examples for every command's `--help` (after its options) and the EXAMPLES
//! section of its man page: data, by command path, added to the one command tree
//! `cli.rs` declares (see [`command`]).

use clap::CommandFactory;

use crate::cli::Cli;

/// The command tree as users see it: the CLI's declarations with the examples.
pub fn command() -> clap::Command {
    add(Cli::command(), "")
}

/// The examples of the command at `path` ("" for `outbound`, "app add", …).
pub fn of(path: &str) -> Option<&'static str> {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

fn add(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some(examples) = of(path) {
        let text = match cmd.get_after_help() {
            Some(after) => format!("Examples:\n{examples}\n\n{after}"),
            None => format!("Examples:\n{examples}"),
        };
        cmd = cmd.after_help(text);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name, |sub| add(sub, &sub_path));
    }
    cmd
}

const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "  outbound app add github --preset github --client-id Iv1.abc --client-secret-stdin < secret.txt
  outbound authorize github
  outbound curl github /user
  GH_TOKEN=$(outbound token github) gh api /user",
    ),
    (
        "app",
        "  outbound app list
  outbound app show github --json
  outbound app edit github --add-scope repo",
    ),
    (
        "app add",
        "  outbound app add github --preset github --client-id Iv1.abc --client-secret-stdin < secret.txt
  outbound app add okta --preset okta --preset-param domain=acme.okta.com --client-id 0oa1 --client-auth none
  outbound app add sso --issuer https://sso.example.com/realms/acme --client-id cli --client-secret-env SSO_SECRET
  outbound app add svc --grant client_credentials --client-id svc --token-url https://auth.example.com/token \\
      --client-secret-command 'pass show svc' --scope api --allowed-host api.example.com
  outbound app add notes --from-url https://mcp.example.com/mcp   (registers a client)
  outbound app add                (on a terminal: guided, the name first)",
    ),
    ("app presets", "  outbound app presets\n  outbound app presets show gitlab"),
    (
        "app presets show",
        "  outbound app presets show okta\n  outbound app presets show github --json",
    ),
    (
        "app list",
        "  outbound app list\n  outbound app list --json | jq -r '.[].name'",
    ),
    (
        "app show",
        "  outbound app show github\n  outbound app show github --json | jq .allowed_hosts",
    ),
    (
        "app edit",
        "  outbound app edit github --add-allowed-host uploads.github.com
  outbound app edit github --remove-scope repo --add-scope read:org
  outbound app edit github --unset prompt --base-url https://api.github.com
  outbound app edit github        (on a terminal: opens $EDITOR)",
    ),
    ("app enable", "  outbound app enable github"),
    ("app disable", "  outbound app disable github"),
    (
        "app reset",
        "  outbound app reset github\n  outbound app reset github --yes --no-revoke",
    ),
    (
        "app delete",
        "  outbound app delete github --yes\n  outbound app delete github --personal   (yours, when the team store has a `github` too)",
    ),
    (
        "app rename",
        "  outbound app rename github github-personal\n  outbound app rename github gh-team --team   (the team store's, an administrator)",
    ),
    (
        "app move",
        "  outbound app move jira --to team       (an administrator shares her app)\n  outbound app move jira --to personal   (back into your file)",
    ),
    ("app secret", "  outbound app secret set github < new-secret.txt"),
    (
        "app secret set",
        "  outbound app secret set github < new-secret.txt\n  outbound app secret set github        (a hidden prompt)",
    ),
    (
        "authorize",
        "  outbound authorize github
  outbound authorize github --device                  (approve on another device)
  outbound authorize github --manual                  (over SSH: paste the address back)
  outbound authorize github --account ci --scope read:org --base-url https://api.github.com",
    ),
    (
        "status",
        "  outbound status
  outbound status github --check || outbound authorize github
  outbound status --json | jq -r '.[] | select(.state != \"authorized\") | .app'",
    ),
    (
        "token",
        "  GH_TOKEN=$(outbound token github) gh api /user
  outbound token github --json | jq .expires_in
  outbound token github --force-refresh >/dev/null   (cron: keeps a refresh token alive)
  eval \"$(outbound token github --format env)\"
  outbound token k8s --format exec-credential   (a kubeconfig's exec plugin)",
    ),
    (
        "agent",
        "  outbound agent start && outbound agent status
  outbound agent stop",
    ),
    (
        "agent start",
        "  outbound agent start   (in a shell profile: later commands are served from memory)",
    ),
    ("agent stop", "  outbound agent stop"),
    (
        "agent status",
        "  outbound agent status || outbound agent start\n  outbound agent status --json | jq .tokens",
    ),
    (
        "agent run",
        "  outbound agent run   (ExecStart= of a systemd user service)",
    ),
    (
        "proxy",
        "  outbound proxy notes --upstream https://mcp.example.com/mcp   (prints http://127.0.0.1:PORT/CAPABILITY/)
  outbound proxy api --upstream https://api.example.com/v1 --socket /run/user/1000/api.sock
  outbound proxy api --upstream https://api.example.com --url-file ~/.cache/api-proxy-url -v
  outbound proxy notes --stdio   (for an MCP client; upstream: the app's --from-url URL)",
    ),
    (
        "setup-git",
        "  outbound setup-git github --host github.com
  outbound setup-git forge --host git.example.com:8443 --account deploy",
    ),
    (
        "git-credential",
        "  printf 'protocol=https\\nhost=github.com\\n\\n' | outbound git-credential get   (what git does)",
    ),
    (
        "exec",
        "  outbound exec github --env GH_TOKEN -- gh pr list
  outbound exec github --env GH_TOKEN --env SLACK_TOKEN=slack -- ./release.sh
  outbound exec ci --min-valid 1h -- terraform apply",
    ),
    (
        "whoami",
        "  outbound whoami google\n  outbound whoami google --account work --json | jq -r .email",
    ),
    (
        "audit",
        "  outbound audit\n  outbound audit github --limit 20 --json",
    ),
    (
        "doctor",
        "  outbound doctor
  outbound doctor github --json | jq '.checks[] | select(.status == \"fail\")'",
    ),
    (
        "curl",
        "  outbound curl github /user
  outbound curl github -X POST --json '{\"title\": \"Hello\"}' /repos/OWNER/REPO/issues
  outbound curl github -f --retry 3 -O https://api.github.com/repos/OWNER/REPO/tarball
  outbound curl github --account ci -i /rate_limit /user",
    ),
    (
        "account",
        "  outbound account disable github --account ci\n  outbound account edit github --base-url https://ghe.example.com/api/v3",
    ),
    (
        "account enable",
        "  outbound account enable github --account ci",
    ),
    (
        "account disable",
        "  outbound account disable github --account ci",
    ),
    (
        "account edit",
        "  outbound account edit github --account ci --base-url https://ghe.example.com/api/v3
  outbound account edit github --account ci --unset base_url",
    ),
    (
        "store",
        "  outbound store migrate --to file
  OUTBOUND_DATABASE_URL=postgresql://owner@db.example/outbound outbound store init",
    ),
    (
        "app export",
        "  outbound app export > apps.toml        (review in git; no secrets in it)
  outbound app export github",
    ),
    (
        "app import",
        "  outbound --store postgres app import apps.toml
  outbound app export | outbound --config team.toml app import -",
    ),
    (
        "store init",
        "  OUTBOUND_DATABASE_URL=postgresql://owner@db.example/outbound outbound store init
  outbound store init --group platform --admin-group platform_admins   (then: GRANT platform TO alice)",
    ),
    (
        "store set-password",
        "  OUTBOUND_DATABASE_URL=postgresql://ci@db.example/outbound outbound store set-password < pw.txt",
    ),
    (
        "store rotate-key",
        "  (openssl rand -base64 32; cat team.key) > new.key   (new key first, old one second)
  OUTBOUND_STORE_KEY_FILE=new.key outbound store rotate-key",
    ),
    (
        "store set-key",
        "  openssl rand -base64 32 > team.key        (once, for the whole team)
  outbound store set-key < team.key",
    ),
    (
        "store migrate",
        "  outbound store migrate --to file        (then: export OUTBOUND_STORE=file)
  outbound --store file store migrate --to keyring",
    ),
    (
        "logout",
        "  outbound logout github
  outbound logout github --account ci --no-revoke
  outbound logout --all",
    ),
    ("prune", "  outbound prune\n  outbound prune --no-revoke"),
    (
        "completions",
        "  source <(outbound completions bash)        (in ~/.bashrc)
  outbound completions fish > ~/.config/fish/completions/outbound.fish",
    ),
];
