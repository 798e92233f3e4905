//! The emulator clock. Everything time-dependent (LRO durations, provider registration
//! delays, soft-delete retention, token lifetimes, `systemData`) reads it through
//! [`Clock::now`]; nothing reads the system time directly.
//!
//! [`Clock`] is read-only: handlers get an `Arc<dyn Clock>`. Only the test-control API holds
//! the [`VirtualClock`] itself and can move it, within [`LATEST`].

use std::sync::atomic::{fence, AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use parking_lot::Mutex;

/// What handlers and the store may ask of the clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// [`Clock::now`] as [`nanos`]: what the store compares with its next deadline on every
    /// read, so clocks make it cheap.
    fn now_nanos(&self) -> i64 {
        nanos(self.now())
    }
}

/// Nanoseconds since the epoch, saturating outside `i64`'s range (before 1677, after 2262).
pub fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 { i64::MIN } else { i64::MAX })
}

/// The latest instant the clock may show: ARM's timestamps have four-digit years, and every
/// duration the emulator adds to `now` (retention, deadlines, token lifetimes) stays far
/// inside chrono's range from here.
pub fn latest() -> DateTime<Utc> {
    // Read on every clock read: computed once.
    static LATEST: std::sync::LazyLock<DateTime<Utc>> = std::sync::LazyLock::new(|| {
        Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single().unwrap_or(DateTime::<Utc>::MAX_UTC)
    });
    *LATEST
}

/// `t + d`, or [`latest`] if that would pass it (never panics).
pub fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    if d.is_zero() && t <= latest() {
        return t;
    }
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
///
/// Every request reads the clock several times from every worker thread, and it is rarely
/// moved, so reads take no lock and write nothing (a sequence lock: a reader retries if a
/// move was under way); moves are serialised by a mutex.
pub struct VirtualClock {
    mode: SeqMode,
    moving: Mutex<()>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Running { offset: Duration },
    Frozen { at: DateTime<Utc> },
}

/// A [`Mode`] readers load without writing shared memory: `seq` is odd while a write is under
/// way. Both modes are stored as seconds and nanoseconds (an offset, or an instant since the
/// epoch).
struct SeqMode {
    seq: AtomicU64,
    frozen: AtomicBool,
    secs: AtomicI64,
    nanos: AtomicU32,
}

impl SeqMode {
    fn new(m: Mode) -> SeqMode {
        let (frozen, secs, nanos) = SeqMode::parts(m);
        SeqMode {
            seq: AtomicU64::new(0),
            frozen: AtomicBool::new(frozen),
            secs: AtomicI64::new(secs),
            nanos: AtomicU32::new(nanos),
        }
    }

    fn parts(m: Mode) -> (bool, i64, u32) {
        match m {
            Mode::Running { offset } => {
                // `Duration` is seconds plus non-negative nanoseconds below a second.
                let secs = offset.num_seconds();
                let rest = offset - Duration::seconds(secs);
                let (secs, nanos) = match rest.num_nanoseconds().unwrap_or(0) {
                    n if n < 0 => (secs - 1, (n + 1_000_000_000) as u32),
                    n => (secs, n as u32),
                };
                (false, secs, nanos)
            }
            Mode::Frozen { at } => (true, at.timestamp(), at.timestamp_subsec_nanos()),
        }
    }

    fn load(&self) -> Mode {
        loop {
            let s1 = self.seq.load(Ordering::Acquire);
            if s1 & 1 == 0 {
                let frozen = self.frozen.load(Ordering::Relaxed);
                let secs = self.secs.load(Ordering::Relaxed);
                let nanos = self.nanos.load(Ordering::Relaxed);
                fence(Ordering::Acquire);
                if self.seq.load(Ordering::Relaxed) == s1 {
                    return if frozen {
                        Mode::Frozen { at: DateTime::from_timestamp(secs, nanos).unwrap_or_else(latest) }
                    } else {
                        Mode::Running { offset: Duration::seconds(secs) + Duration::nanoseconds(nanos as i64) }
                    };
                }
            }
            std::hint::spin_loop();
        }
    }

    /// Callers serialise stores (the clock's `moving` mutex).
    fn store(&self, m: Mode) {
        let (frozen, secs, nanos) = SeqMode::parts(m);
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        self.frozen.store(frozen, Ordering::Relaxed);
        self.secs.store(secs, Ordering::Relaxed);
        self.nanos.store(nanos, Ordering::Relaxed);
        self.seq.store(s.wrapping_add(2), Ordering::Release);
    }
}

impl VirtualClock {
    fn with(m: Mode) -> Self {
        VirtualClock { mode: SeqMode::new(m), moving: Mutex::new(()) }
    }

    pub fn running() -> Self {
        VirtualClock::with(Mode::Running { offset: Duration::zero() })
    }

    pub fn frozen(at: DateTime<Utc>) -> Self {
        VirtualClock::with(Mode::Frozen { at: at.min(latest()) })
    }

    /// Moves virtual time forward by `d` (both modes). Refused if the clock would pass
    /// [`latest`].
    pub fn advance(&self, d: Duration) -> Result<DateTime<Utc>, OutOfRange> {
        let _moving = self.moving.lock();
        let m = self.mode.load();
        let now = now_of(m);
        let to = now.checked_add_signed(d).filter(|t| *t <= latest()).ok_or(OutOfRange)?;
        self.mode.store(match m {
            Mode::Running { offset } => Mode::Running { offset: offset + (to - now) },
            Mode::Frozen { .. } => Mode::Frozen { at: to },
        });
        Ok(to)
    }

    /// Sets the virtual time (both modes; a running clock keeps running from there).
    pub fn set(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, OutOfRange> {
        if t > latest() {
            return Err(OutOfRange);
        }
        let _moving = self.moving.lock();
        self.mode.store(match self.mode.load() {
            Mode::Running { .. } => Mode::Running { offset: t - Utc::now() },
            Mode::Frozen { .. } => Mode::Frozen { at: t },
        });
        Ok(t)
    }

    /// The offset from real time of a running clock (`None` when frozen).
    pub fn offset(&self) -> Option<Duration> {
        match self.mode.load() {
            Mode::Running { offset } => Some(offset),
            Mode::Frozen { .. } => None,
        }
    }

    /// Makes the clock run at `offset` from real time (a restart restores a running clock).
    pub fn run_at_offset(&self, offset: Duration) {
        let _moving = self.moving.lock();
        self.mode.store(Mode::Running { offset });
    }

    /// Freezes the clock at `at` (a restart restores a frozen clock).
    pub fn freeze_at(&self, at: DateTime<Utc>) {
        let _moving = self.moving.lock();
        self.mode.store(Mode::Frozen { at: at.min(latest()) });
    }

    /// True when time only moves through `advance`/`set`.
    pub fn is_frozen(&self) -> bool {
        matches!(self.mode.load(), Mode::Frozen { .. })
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
        now_of(self.mode.load())
    }

    fn now_nanos(&self) -> i64 {
        match self.mode.load() {
            Mode::Running { offset } => {
                let real = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok();
                match (real, offset.num_nanoseconds()) {
                    (Some(real), Some(off)) => {
                        (real.as_nanos() as i128 + off as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64
                    }
                    _ => nanos(self.now()),
                }
            }
            Mode::Frozen { at } => nanos(at),
        }
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
    fn nanos_agree_with_the_instant() {
        let c = VirtualClock::running();
        for offset in [Duration::zero(), Duration::days(-3), Duration::days(36_500), Duration::days(-36_500)] {
            c.set(Utc::now() + offset).unwrap();
            let (a, n, b) = (nanos(c.now()), c.now_nanos(), nanos(c.now()));
            assert!(a <= n && n <= b, "{offset}: {a} <= {n} <= {b}");
        }
        c.set(latest()).unwrap();
        assert_eq!(c.now_nanos(), i64::MAX);
        let f = VirtualClock::frozen(t0() + Duration::nanoseconds(5));
        assert_eq!(f.now_nanos(), nanos(t0()) + 5);
    }

    #[test]
    fn modes_survive_their_stored_form() {
        for m in [
            Mode::Running { offset: Duration::zero() },
            Mode::Running { offset: Duration::nanoseconds(-1) },
            Mode::Running { offset: Duration::seconds(-86_400 * 400) + Duration::nanoseconds(123_456_789) },
            Mode::Running { offset: Duration::days(3) + Duration::nanoseconds(999_999_999) },
            Mode::Frozen { at: t0() + Duration::nanoseconds(1_234_567) },
            Mode::Frozen { at: latest() },
            Mode::Frozen { at: Utc.with_ymd_and_hms(1960, 5, 1, 0, 0, 0).unwrap() + Duration::nanoseconds(7) },
        ] {
            let cell = SeqMode::new(Mode::Running { offset: Duration::hours(1) });
            cell.store(m);
            assert_eq!(cell.load(), m);
            assert_eq!(SeqMode::new(m).load(), m);
        }
    }

    #[test]
    fn readers_never_see_a_torn_mode() {
        // Two values whose seconds and nanoseconds all differ: a reader mixing them would see
        // an instant that was never stored.
        let a = t0() + Duration::nanoseconds(111);
        let b = t0() + Duration::days(400) + Duration::nanoseconds(999_000_000);
        let c = std::sync::Arc::new(VirtualClock::frozen(a));
        let writer = {
            let c = c.clone();
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    c.set(if i % 2 == 0 { b } else { a }).unwrap();
                }
            })
        };
        let mut seen = 0;
        while !writer.is_finished() || seen < 1000 {
            let now = c.now();
            assert!(now == a || now == b, "torn read: {now}");
            seen += 1;
        }
        writer.join().unwrap();
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
