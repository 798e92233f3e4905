//! The emulator clock. Everything time-dependent (LRO durations, provider registration
//! delays, soft-delete retention, token lifetimes, `systemData`) reads it through
//! [`Clock::now`]; nothing reads the system time directly.
//!
//! [`Clock`] is read-only: handlers get an `Arc<dyn Clock>`. Only the test-control API holds
//! the [`VirtualClock`] itself and can move it, within [`LATEST`].

use chrono::{DateTime, Duration, TimeZone, Utc};
use parking_lot::RwLock;

/// What handlers and the store may ask of the clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The latest instant the clock may show: ARM's timestamps have four-digit years, and every
/// duration the emulator adds to `now` (retention, deadlines, token lifetimes) stays far
/// inside chrono's range from here.
pub fn latest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single().unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `t + d`, or [`latest`] if that would pass it (never panics).
pub fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).filter(|x| *x <= latest()).unwrap_or_else(latest)
}

/// A refused clock change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange;

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the clock cannot move past {}", latest().format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

/// Real time plus an offset, or a frozen instant (`--clock manual`) that only moves when told.
pub struct VirtualClock {
    inner: RwLock<Mode>,
}

#[derive(Clone, Copy)]
enum Mode {
    Running { offset: Duration },
    Frozen { at: DateTime<Utc> },
}

impl VirtualClock {
    pub fn running() -> Self {
        VirtualClock { inner: RwLock::new(Mode::Running { offset: Duration::zero() }) }
    }

    pub fn frozen(at: DateTime<Utc>) -> Self {
        VirtualClock { inner: RwLock::new(Mode::Frozen { at: at.min(latest()) }) }
    }

    /// Moves virtual time forward by `d` (both modes). Refused if the clock would pass
    /// [`latest`].
    pub fn advance(&self, d: Duration) -> Result<DateTime<Utc>, OutOfRange> {
        let mut g = self.inner.write();
        let now = now_of(*g);
        let to = now.checked_add_signed(d).filter(|t| *t <= latest()).ok_or(OutOfRange)?;
        *g = match *g {
            Mode::Running { offset } => Mode::Running { offset: offset + (to - now) },
            Mode::Frozen { .. } => Mode::Frozen { at: to },
        };
        Ok(to)
    }

    /// Sets the virtual time (both modes; a running clock keeps running from there).
    pub fn set(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, OutOfRange> {
        if t > latest() {
            return Err(OutOfRange);
        }
        let mut g = self.inner.write();
        *g = match *g {
            Mode::Running { .. } => Mode::Running { offset: t - Utc::now() },
            Mode::Frozen { .. } => Mode::Frozen { at: t },
        };
        Ok(t)
    }

    /// True when time only moves through `advance`/`set`.
    pub fn is_frozen(&self) -> bool {
        matches!(*self.inner.read(), Mode::Frozen { .. })
    }
}

fn now_of(m: Mode) -> DateTime<Utc> {
    match m {
        // A running clock set close to the end of its range keeps running: clamp, never panic.
        Mode::Running { offset } => add(Utc::now(), offset),
        Mode::Frozen { at } => at,
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        now_of(*self.inner.read())
    }
}

/// ARM's timestamp format: RFC 3339, UTC, seven fractional digits, `Z`.
pub fn arm_time(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!("{}.{:07}Z", t.format("%Y-%m-%dT%H:%M:%S"), t.nanosecond() % 1_000_000_000 / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let c = VirtualClock::frozen(t0());
        assert_eq!(c.now(), t0());
        c.advance(Duration::days(15)).unwrap();
        assert_eq!(c.now(), t0() + Duration::days(15));
        assert_eq!(arm_time(t0()), "2026-01-01T00:00:00.0000000Z");
    }

    #[test]
    fn the_clock_refuses_to_pass_its_range_and_keeps_working() {
        for c in [VirtualClock::frozen(t0()), VirtualClock::running()] {
            c.set(latest() - Duration::days(1)).unwrap();
            assert_eq!(c.advance(Duration::days(36_500)), Err(OutOfRange));
            assert!(c.now() <= latest());
            assert_eq!(c.set(latest() + Duration::seconds(1)), Err(OutOfRange));
            assert!(c.advance(Duration::hours(1)).is_ok());
            // Adding to the latest instant saturates.
            assert_eq!(add(latest(), Duration::days(14)), latest());
        }
        assert_eq!(OutOfRange.to_string(), "the clock cannot move past 9999-12-31T23:59:59Z");
    }
}
