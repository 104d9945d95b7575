//! `outbound token NAME`: print a valid access token, for `$(...)` in scripts. The
//! only command that prints a token, because it was asked to.

use serde::Serialize;

use super::{Ctx, access_token, print_json};
use crate::error::Result;
use crate::tokens::{self, DEFAULT_ACCOUNT};

#[derive(Serialize)]
struct TokenView<'a> {
    access_token: &'a str,
    token_type: &'a str,
    /// Unix seconds, or null when unknown.
    expires_at: Option<u64>,
    expires_in: Option<i64>,
    scopes: &'a [String],
}

pub fn run(ctx: &Ctx, name: &str, account: Option<&str>, json: bool) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(name)?;
    let account = account.unwrap_or(DEFAULT_ACCOUNT);
    tokens::check_account(account)?;
    let store = ctx.store(&config);
    let access = access_token(ctx, &config, store.as_ref(), app, account, None)?;
    let token = &access.token;
    if json {
        let now = tokens::now() as i64;
        return print_json(&TokenView {
            access_token: token.access_token.expose(),
            token_type: token.token_type.as_deref().unwrap_or("bearer"),
            expires_at: token.expires_at,
            expires_in: token.expires_at.map(|at| at as i64 - now),
            scopes: &token.scopes,
        });
    }
    println!("{}", token.access_token.expose());
    Ok(())
}
