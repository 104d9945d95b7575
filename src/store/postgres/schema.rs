//! The team store's schema: embedded migrations, applied in order by `outbound store
//! init` (run once by the database owner), and the roles, grants and row-level
//! security policies that make administration a role and accounts personal.
//!
//! Accounts and secrets name their application by id without a foreign key: `app
//! add` seals the client secret under the new id before the definition is committed
//! (and removes it if that fails), and a deleted application's rows of other roles,
//! which its administrator cannot see, are left bound to an id nothing uses again.
//!
//! Only SQL that PostgreSQL-compatible distributed databases (CockroachDB, YugabyteDB)
//! also run: plain tables, `ON CONFLICT`, `FOR UPDATE`, row-level security; no
//! advisory locks, no `LISTEN/NOTIFY`, no `DO` blocks, no sequences.

/// The schema versions this binary knows, in order. A database at a higher version
/// was initialized by a newer `outbound`, and is refused.
pub const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    r#"
CREATE TABLE outbound_apps (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    definition text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT current_user
);
CREATE TABLE outbound_apps_version (
    id integer PRIMARY KEY,
    version bigint NOT NULL
);
INSERT INTO outbound_apps_version (id, version) VALUES (1, 0);
CREATE TABLE outbound_accounts (
    app_id text NOT NULL,
    account text NOT NULL,
    owner text NOT NULL DEFAULT current_user,
    shared boolean NOT NULL DEFAULT false,
    lease_holder text,
    lease_until timestamptz,
    needs_authorization boolean NOT NULL DEFAULT false,
    last_error text,
    record text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, account, owner)
);
CREATE TABLE outbound_secrets (
    app_id text NOT NULL,
    account text NOT NULL,
    kind text NOT NULL,
    owner text NOT NULL DEFAULT current_user,
    shared boolean NOT NULL DEFAULT false,
    key_id text NOT NULL,
    sealed bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, account, kind, owner)
);
CREATE TABLE outbound_audit (
    at timestamptz NOT NULL,
    app text NOT NULL,
    account text NOT NULL,
    owner text NOT NULL DEFAULT current_user,
    event text NOT NULL,
    method text,
    host text,
    status text NOT NULL
);
CREATE INDEX outbound_audit_owner_at ON outbound_audit (owner, at);
"#,
)];

pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// A role name we put into SQL: plain lower-case identifiers only, so quoting is
/// never in doubt.
pub fn check_role(flag: &str, role: &str) -> Result<(), String> {
    let ok = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{flag} {role}: a role name here is lower-case letters, digits and _ (starting with a letter or _)"
        ))
    }
}

/// Grants and policies, applied (again) by every `store init`: idempotent.
///
/// - `group` reads every definition and the app-level secrets (sealed), and holds
///   its own accounts; `admins` (a member of `group`) alone changes definitions and
///   app-level secrets.
/// - An account row (tokens, leases, state) is visible to the role that created it
///   (`owner`), and to the group when `shared`.
pub fn policies(group: &str, admins: &str) -> String {
    let is_admin = format!("pg_has_role(current_user, '{admins}', 'MEMBER')");
    let mine_or_shared = "(owner = current_user OR shared)";
    let secret_write =
        format!("(CASE WHEN account = '' THEN {is_admin} ELSE {mine_or_shared} END)");
    format!(
        r#"
GRANT {group} TO {admins};
GRANT SELECT ON outbound_schema, outbound_apps, outbound_apps_version TO {group};
GRANT INSERT, UPDATE, DELETE ON outbound_apps TO {admins};
GRANT UPDATE ON outbound_apps_version TO {admins};
GRANT SELECT, INSERT, UPDATE, DELETE ON outbound_accounts, outbound_secrets TO {group};
GRANT SELECT, INSERT ON outbound_audit TO {group};

ALTER TABLE outbound_schema ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_read ON outbound_schema;
CREATE POLICY outbound_read ON outbound_schema FOR SELECT USING (true);

ALTER TABLE outbound_apps ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_read ON outbound_apps;
DROP POLICY IF EXISTS outbound_admin ON outbound_apps;
CREATE POLICY outbound_read ON outbound_apps FOR SELECT USING (true);
CREATE POLICY outbound_admin ON outbound_apps FOR ALL USING ({is_admin}) WITH CHECK ({is_admin});

ALTER TABLE outbound_apps_version ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_read ON outbound_apps_version;
DROP POLICY IF EXISTS outbound_admin ON outbound_apps_version;
CREATE POLICY outbound_read ON outbound_apps_version FOR SELECT USING (true);
CREATE POLICY outbound_admin ON outbound_apps_version FOR UPDATE USING ({is_admin}) WITH CHECK ({is_admin});

ALTER TABLE outbound_accounts ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_own ON outbound_accounts;
DROP POLICY IF EXISTS outbound_insert ON outbound_accounts;
CREATE POLICY outbound_own ON outbound_accounts FOR ALL USING {mine_or_shared} WITH CHECK {mine_or_shared};

ALTER TABLE outbound_audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_own ON outbound_audit;
CREATE POLICY outbound_own ON outbound_audit FOR ALL USING (owner = current_user) WITH CHECK (owner = current_user);

ALTER TABLE outbound_secrets ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_read ON outbound_secrets;
DROP POLICY IF EXISTS outbound_write ON outbound_secrets;
DROP POLICY IF EXISTS outbound_insert ON outbound_secrets;
DROP POLICY IF EXISTS outbound_update ON outbound_secrets;
DROP POLICY IF EXISTS outbound_delete ON outbound_secrets;
CREATE POLICY outbound_read ON outbound_secrets FOR SELECT USING (account = '' OR {mine_or_shared});
CREATE POLICY outbound_insert ON outbound_secrets FOR INSERT WITH CHECK {secret_write};
CREATE POLICY outbound_update ON outbound_secrets FOR UPDATE USING {secret_write} WITH CHECK {secret_write};
CREATE POLICY outbound_delete ON outbound_secrets FOR DELETE USING {secret_write};
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_role_names_are_plain() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(check_role("--group", "outbound_team").is_ok());
        assert!(check_role("--group", "team1").is_ok());
        for bad in ["", "Team", "a-b", "x'; DROP TABLE t; --", "1a"] {
            assert!(check_role("--group", bad).is_err(), "{bad}");
        }
        let sql = policies("g", "a");
        assert!(sql.contains("pg_has_role(current_user, 'a', 'MEMBER')"));
    }
}
