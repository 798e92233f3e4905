//! The emulator clock. Everything time-dependent (LRO durations, provider registration
//! delays, soft-delete retention, token lifetimes, `systemData`) reads it through
//! [`Clock::now`]; nothing reads the system time directly.

use chrono::{DateTime, Duration, Utc};
use parking_lot::RwLock;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Moves virtual time forward by `d` (both modes).
    fn advance(&self, d: Duration);
    /// Sets the virtual time (both modes; a running clock keeps running from there).
    fn set(&self, t: DateTime<Utc>);
    /// True when time only moves through `advance`/`set`.
    fn is_frozen(&self) -> bool;
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
        VirtualClock { inner: RwLock::new(Mode::Frozen { at }) }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        match *self.inner.read() {
            Mode::Running { offset } => Utc::now() + offset,
            Mode::Frozen { at } => at,
        }
    }

    fn advance(&self, d: Duration) {
        let mut g = self.inner.write();
        *g = match *g {
            Mode::Running { offset } => Mode::Running { offset: offset + d },
            Mode::Frozen { at } => Mode::Frozen { at: at + d },
        };
    }

    fn set(&self, t: DateTime<Utc>) {
        let mut g = self.inner.write();
        *g = match *g {
            Mode::Running { .. } => Mode::Running { offset: t - Utc::now() },
            Mode::Frozen { .. } => Mode::Frozen { at: t },
        };
    }

    fn is_frozen(&self) -> bool {
        matches!(*self.inner.read(), Mode::Frozen { .. })
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

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let c = VirtualClock::frozen(t0);
        assert_eq!(c.now(), t0);
        c.advance(Duration::days(15));
        assert_eq!(c.now(), t0 + Duration::days(15));
        assert_eq!(arm_time(t0), "2026-01-01T00:00:00.0000000Z");
    }
}
