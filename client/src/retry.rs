//! Retries: which answers are worth another try, and how long to wait before it.
//! `Retry-After` (seconds or an HTTP date, and the `retry-after-ms` variants) wins; otherwise
//! the wait is an exponential backoff with full jitter, capped.

use std::time::Duration;

use rand::Rng;

use crate::http::HttpResponse;

#[derive(Debug, Clone)]
pub struct RetryOptions {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// The first backoff step; doubled each attempt.
    pub base_delay: Duration,
    /// No single wait is longer, whatever `Retry-After` says.
    pub max_delay: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions { max_retries: 4, base_delay: Duration::from_millis(800), max_delay: Duration::from_secs(60) }
    }
}

/// Statuses that are worth another try: timeouts, throttling and server errors that say
/// nothing about the request itself.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The server's own wait hint, if any.
pub fn retry_after(resp: &HttpResponse) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = resp.header(name).and_then(|v| v.trim().parse::<f64>().ok()) {
            if ms >= 0.0 {
                return Some(Duration::from_millis(ms as u64));
            }
        }
    }
    let v = resp.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs >= 0.0).then(|| Duration::from_millis((secs * 1000.0) as u64));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

impl RetryOptions {
    /// The wait before retry number `attempt` (0-based), honouring `hint` when given.
    pub fn delay(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        if let Some(h) = hint {
            return h.min(self.max_delay);
        }
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        let cap = exp.min(self.max_delay);
        // Full jitter between half the step and the step keeps waits near the curve.
        let lo = cap.as_millis() as u64 / 2;
        let hi = cap.as_millis() as u64;
        Duration::from_millis(if hi > lo { rand::thread_rng().gen_range(lo..=hi) } else { hi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderMap;

    fn resp(headers: &[(&'static str, &str)]) -> HttpResponse {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        HttpResponse { status: 429, headers: h, body: Default::default() }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(retry_after(&resp(&[("retry-after", "7")])), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&resp(&[("retry-after-ms", "250")])), Some(Duration::from_millis(250)));
        assert_eq!(retry_after(&resp(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])), Some(Duration::ZERO));
        assert_eq!(retry_after(&resp(&[])), None);
        assert_eq!(retry_after(&resp(&[("retry-after", "soon")])), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let o = RetryOptions { max_retries: 9, base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(5) };
        for attempt in 0..10 {
            let d = o.delay(attempt, None);
            let step = Duration::from_secs(1u64 << attempt.min(16)).min(Duration::from_secs(5));
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
        assert_eq!(o.delay(0, Some(Duration::from_secs(60))), Duration::from_secs(5));
        assert_eq!(o.delay(3, Some(Duration::from_secs(2))), Duration::from_secs(2));
    }
}
