//! Waiting, behind a trait so tests never sleep for real: the retry policy and the LRO poller
//! ask a [`Sleeper`], and a test hands them a [`RecordingSleeper`] that returns at once and
//! remembers what it was asked for.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;
}

/// Sleeps on the tokio timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Returns at once and records every requested duration.
#[derive(Debug, Default, Clone)]
pub struct RecordingSleeper {
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingSleeper {
    pub fn new() -> RecordingSleeper {
        RecordingSleeper::default()
    }

    /// Every duration asked for so far, in order.
    pub fn recorded(&self) -> Vec<Duration> {
        self.slept.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        if let Ok(mut v) = self.slept.lock() {
            v.push(duration);
        }
        Box::pin(async {})
    }
}
