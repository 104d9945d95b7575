//! The one place time comes from: Unix seconds, for expiries and records.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds now (0 if the clock is before 1970).
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `at` moved `by` seconds (from one clock to another), within the range of u64.
pub fn shift(at: u64, by: i64) -> u64 {
    at.saturating_add_signed(by)
}
