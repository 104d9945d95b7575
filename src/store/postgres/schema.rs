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
pub const MIGRATIONS: &[(i32, &str)] = &[
    (
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
    ),
    (
        2,
        // Version 1's policies on accounts and secrets checked `owner = current_user
        // OR shared` on writes too: a member could write a row in another role's name
        // as long as it was shared, and share any row. They go; [`policies`], applied
        // next in the same transaction, puts the owner-checked ones in their place.
        r#"
DROP POLICY IF EXISTS outbound_own ON outbound_accounts;
DROP POLICY IF EXISTS outbound_insert ON outbound_accounts;
DROP POLICY IF EXISTS outbound_read ON outbound_secrets;
DROP POLICY IF EXISTS outbound_write ON outbound_secrets;
DROP POLICY IF EXISTS outbound_insert ON outbound_secrets;
DROP POLICY IF EXISTS outbound_update ON outbound_secrets;
DROP POLICY IF EXISTS outbound_delete ON outbound_secrets;
"#,
    ),
];

pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// The admin role `store init` makes when `--admin-group` names none.
pub const DEFAULT_ADMINS: &str = "outbound_admins";

/// The admin role named in the `outbound_admin` policy's condition as PostgreSQL
/// gives it back (`pg_has_role(CURRENT_USER, 'ROLE'::name, 'MEMBER'::text)`).
pub fn admin_role_in(qual: &str) -> Option<String> {
    let rest = &qual[qual.find("pg_has_role(")?..];
    let start = rest.find('\'')? + 1;
    let len = rest[start..].find('\'')?;
    let role = &rest[start..start + len];
    check_role("policy", role).ok()?;
    Some(role.to_owned())
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

/// Grants and policies, applied (again) by every `store init`: idempotent. Policies
/// are permissive (one that passes is enough), so version 1's names are dropped here
/// too, should one have come back.
///
/// - `group` reads every definition and the app-level secrets (sealed), and holds
///   its own accounts; `admins` (a member of `group`) alone changes definitions and
///   app-level secrets.
/// - An account row (tokens, leases, state) is visible to the role that created it
///   (`owner`), and to the group when `shared`.
/// - A role creates only rows in its own name, and only an administrator creates a
///   shared one (`authorize --shared`). A role changes its own personal rows, and
///   the group changes shared rows (that is how it refreshes a shared account) as
///   long as they stay shared and an administrator's: nobody but their owner
///   un-shares them, and nobody moves a row into a member's name. Deleting a shared
///   row is its owner's or an administrator's.
pub fn policies(group: &str, admins: &str) -> String {
    let is_admin = format!("pg_has_role(current_user, '{admins}', 'MEMBER')");
    let visible = "(owner = current_user OR shared)";
    let create = format!("(owner = current_user AND (NOT shared OR {is_admin}))");
    // CASE, not OR: pg_has_role fails on a name that is no role, so it is asked only
    // of a shared row's owner.
    let keep_when = format!(
        "WHEN shared THEN pg_has_role(owner, '{admins}', 'MEMBER') ELSE owner = current_user"
    );
    let remove = format!("(owner = current_user OR (shared AND {is_admin}))");
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
DROP POLICY IF EXISTS outbound_read ON outbound_accounts;
DROP POLICY IF EXISTS outbound_insert ON outbound_accounts;
DROP POLICY IF EXISTS outbound_update ON outbound_accounts;
DROP POLICY IF EXISTS outbound_delete ON outbound_accounts;
CREATE POLICY outbound_read ON outbound_accounts FOR SELECT USING {visible};
CREATE POLICY outbound_insert ON outbound_accounts FOR INSERT WITH CHECK {create};
CREATE POLICY outbound_update ON outbound_accounts FOR UPDATE USING {visible} WITH CHECK (CASE {keep_when} END);
CREATE POLICY outbound_delete ON outbound_accounts FOR DELETE USING {remove};

ALTER TABLE outbound_audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_own ON outbound_audit;
CREATE POLICY outbound_own ON outbound_audit FOR ALL USING (owner = current_user) WITH CHECK (owner = current_user);

ALTER TABLE outbound_secrets ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbound_read ON outbound_secrets;
DROP POLICY IF EXISTS outbound_write ON outbound_secrets;
DROP POLICY IF EXISTS outbound_insert ON outbound_secrets;
DROP POLICY IF EXISTS outbound_update ON outbound_secrets;
DROP POLICY IF EXISTS outbound_delete ON outbound_secrets;
CREATE POLICY outbound_read ON outbound_secrets FOR SELECT USING (account = '' OR {visible});
CREATE POLICY outbound_insert ON outbound_secrets FOR INSERT
    WITH CHECK (CASE WHEN account = '' THEN {is_admin} ELSE {create} END);
CREATE POLICY outbound_update ON outbound_secrets FOR UPDATE
    USING (CASE WHEN account = '' THEN {is_admin} ELSE {visible} END)
    WITH CHECK (CASE WHEN account = '' THEN {is_admin} {keep_when} END);
CREATE POLICY outbound_delete ON outbound_secrets FOR DELETE
    USING (CASE WHEN account = '' THEN {is_admin} ELSE {remove} END);
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
        assert_eq!(
            admin_role_in("pg_has_role(CURRENT_USER, 'platform_admins'::name, 'MEMBER'::text)")
                .as_deref(),
            Some("platform_admins")
        );
        assert_eq!(admin_role_in("true"), None);
        assert_eq!(
            admin_role_in("pg_has_role(CURRENT_USER, 'X; --'::name)"),
            None
        );
        let sql = policies("g", "a");
        assert!(sql.contains("pg_has_role(current_user, 'a', 'MEMBER')"));
        // Version 2 drops version 1's policies that let writes name another owner.
        assert_eq!(latest(), 2);
        assert!(
            MIGRATIONS[1]
                .1
                .contains("DROP POLICY IF EXISTS outbound_own ON outbound_accounts")
        );
        // Every write policy on accounts and secrets names the owner or a shared
        // row an administrator owns; none is `FOR ALL`.
        for table in ["outbound_accounts", "outbound_secrets"] {
            let on = format!("ON {table} FOR ");
            assert!(!sql.contains(&format!("ON {table} FOR ALL")), "{table}");
            let insert = sql
                .lines()
                .skip_while(|l| !l.contains(&format!("{on}INSERT")))
                .take(2)
                .collect::<String>();
            assert!(
                insert.contains("owner = current_user AND (NOT shared OR pg_has_role(current_user, 'a', 'MEMBER'))"),
                "{insert}"
            );
        }
    }
}
