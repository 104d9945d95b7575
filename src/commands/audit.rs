//! `outbound audit [NAME]`: read the audit log.

use super::Ctx;
use crate::audit;
use crate::commands::output::{data, notice};
use crate::error::Result;

pub fn run(ctx: &Ctx, name: Option<&str>, json: bool, limit: Option<usize>) -> Result<()> {
    let config = ctx.load()?;
    if let Some(name) = name {
        config.app(name)?;
    }
    if !config.audit {
        notice!(
            "note: {} does not enable the audit log; add `audit = true` at its top to record token use",
            config.path.display()
        );
    }
    // This machine's log (the file's applications), and the team store's when the
    // configuration names one.
    let mut events = audit::read(&audit::path(&ctx.state_dir))?;
    if config.has_team() {
        events.extend(ctx.postgres(&config).audit_events()?);
        events.sort_by_key(|e| e.time);
    }
    events.retain(|e| name.is_none_or(|n| e.app == n));
    if let Some(limit) = limit {
        let skip = events.len().saturating_sub(limit);
        events.drain(..skip);
    }
    if json {
        for e in &events {
            let line =
                serde_json::to_string(e).map_err(|e| crate::error::Error::Other(e.to_string()))?;
            data!("{line}");
        }
        return Ok(());
    }
    for e in &events {
        data!(
            "{}  {:<12} {:<10} {:<9} {:<18} {:<28} {}",
            e.time,
            e.app,
            e.account,
            e.event,
            e.method.as_deref().unwrap_or("-"),
            e.host.as_deref().unwrap_or("-"),
            e.status
        );
    }
    Ok(())
}
