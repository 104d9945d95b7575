//! Every kind of secret outbound keeps, declared once: where it lives in a store (its
//! key), what it is called in messages, what it belongs to, and how a person puts it
//! back. Migrating between stores, deleting an app, and the tests that look for
//! leaks go over [`KINDS`]; a new kind is one line here (and the code that uses it).

use crate::app::{App, SecretRef};

/// A kind of secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ClientSecret,
    /// The key that signs `private_key_jwt` assertions and JWT bearer grants.
    PrivateKey,
    /// The TLS client certificate (mTLS, RFC 8705), and its key.
    ClientCert,
    ClientTlsKey,
    /// What managing a dynamically registered client needs (RFC 7592): its URI and
    /// registration access token.
    Registration,
    /// One account's access, refresh and ID tokens.
    Tokens,
    /// The key one account's DPoP proofs are made with (RFC 9449).
    DpopKey,
    /// The team store's database password (per database, on each machine).
    DatabasePassword,
    /// The team store's data key (on each machine; seals the shared secrets).
    DataKey,
}

/// What one secret belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    /// An application (its id): shared by its accounts.
    App,
    /// One account of an application.
    Account,
    /// This machine (the team store's credentials).
    Machine,
}

/// One kind's declaration.
pub struct Declared {
    pub kind: Kind,
    /// The store key's first part: `PREFIX/APP_ID`, `PREFIX/APP_ID/ACCOUNT`, or
    /// `PREFIX` / `PREFIX/LABEL` for a machine's.
    pub prefix: &'static str,
    pub of: Of,
    /// What messages call it.
    pub label: &'static str,
    /// How a person puts it (back) in place; `APP` stands for the app's name.
    pub fix: &'static str,
    /// The app setting that says where it lives (`"store"`, `env:`, `command:`), for
    /// the kinds an app's configuration names.
    pub setting: Option<&'static str>,
}

/// Every kind, in the order they are moved and deleted (an app's before its
/// accounts').
pub static KINDS: [Declared; 9] = [
    Declared {
        kind: Kind::ClientSecret,
        prefix: "client-secret",
        of: Of::App,
        label: "client secret",
        fix: "outbound app secret set APP",
        setting: Some("client_secret"),
    },
    Declared {
        kind: Kind::PrivateKey,
        prefix: "private-key",
        of: Of::App,
        label: "private key",
        fix: "outbound app edit APP --private-key FILE",
        setting: Some("private_key"),
    },
    Declared {
        kind: Kind::ClientCert,
        prefix: "client-cert",
        of: Of::App,
        label: "TLS client certificate",
        fix: "outbound app edit APP --client-cert FILE --client-key FILE",
        setting: Some("client_cert"),
    },
    Declared {
        kind: Kind::ClientTlsKey,
        prefix: "client-tls-key",
        of: Of::App,
        label: "TLS client key",
        fix: "outbound app edit APP --client-cert FILE --client-key FILE",
        setting: Some("client_key"),
    },
    Declared {
        kind: Kind::Registration,
        prefix: "registration",
        of: Of::App,
        label: "registration access token",
        fix: "outbound app add APP --from-url URL (registers a new client)",
        setting: None,
    },
    Declared {
        kind: Kind::Tokens,
        prefix: "token",
        of: Of::Account,
        label: "tokens",
        fix: "outbound authorize APP",
        setting: None,
    },
    Declared {
        kind: Kind::DpopKey,
        prefix: "dpop-key",
        of: Of::Account,
        label: "DPoP key",
        fix: "outbound authorize APP (makes a new key)",
        setting: None,
    },
    Declared {
        kind: Kind::DatabasePassword,
        prefix: "database-password",
        of: Of::Machine,
        label: "database password",
        fix: "outbound store login",
        setting: None,
    },
    Declared {
        kind: Kind::DataKey,
        prefix: "store-key",
        of: Of::Machine,
        label: "data key",
        fix: "outbound store set-key",
        setting: None,
    },
];

impl Kind {
    pub fn declared(self) -> &'static Declared {
        // Every kind is declared once: the unit test below keeps it so.
        KINDS.iter().find(|d| d.kind == self).unwrap_or(&KINDS[0])
    }

    /// How a person puts this kind back for the app named `app` (its declared fix).
    pub fn fix_for(self, app: &str) -> String {
        self.declared().fix.replace("APP", app)
    }

    /// The store key of an application's secret of this kind.
    pub fn app_key(self, app_id: &str) -> String {
        format!("{}/{app_id}", self.declared().prefix)
    }

    /// The store key of one account's secret of this kind.
    pub fn account_key(self, app_id: &str, account: &str) -> String {
        format!("{}/{app_id}/{account}", self.declared().prefix)
    }

    /// Whether `app`'s settings say its secret of this kind is kept in the store (as
    /// opposed to an environment variable, a command, or none). A registration is
    /// kept whenever there is one.
    pub fn kept_in_store(self, app: &App) -> bool {
        match self {
            Kind::ClientSecret => app.client_secret == SecretRef::Store,
            Kind::PrivateKey => app.private_key == SecretRef::Store,
            Kind::ClientCert => app.client_cert == SecretRef::Store,
            Kind::ClientTlsKey => app.client_key == SecretRef::Store,
            Kind::Registration | Kind::Tokens | Kind::DpopKey => true,
            Kind::DatabasePassword | Kind::DataKey => false,
        }
    }
}

/// The kinds an application holds (not its accounts').
pub fn of_app() -> impl Iterator<Item = Kind> {
    KINDS.iter().filter(|d| d.of == Of::App).map(|d| d.kind)
}

/// The kinds each account holds.
pub fn of_account() -> impl Iterator<Item = Kind> {
    KINDS.iter().filter(|d| d.of == Of::Account).map(|d| d.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_declared_once_with_its_own_prefix() {
        for d in &KINDS {
            assert_eq!(KINDS.iter().filter(|o| o.kind == d.kind).count(), 1);
            assert_eq!(KINDS.iter().filter(|o| o.prefix == d.prefix).count(), 1);
            assert!(std::ptr::eq(d.kind.declared(), d));
        }
        assert_eq!(Kind::Tokens.account_key("a1", "ci"), "token/a1/ci");
        assert_eq!(Kind::ClientSecret.app_key("a1"), "client-secret/a1");
        assert_eq!(Kind::DataKey.declared().prefix, crate::store::STORE_KEY);
        // The settings named are the configuration's own.
        for setting in KINDS.iter().filter_map(|d| d.setting) {
            assert!(crate::app::setting_names().contains(&setting), "{setting}");
        }
    }
}
