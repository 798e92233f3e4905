//! Id generation, injected so tests can make every GUID predictable (`--id-seed`).

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

pub trait IdGen: Send + Sync {
    fn uuid(&self) -> Uuid;

    /// Lower-case hex GUID, the form ARM uses in ids and names.
    fn guid(&self) -> String {
        // Written through a stack buffer: every response carries a new request id.
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        self.uuid().hyphenated().encode_lower(&mut buf).to_string()
    }

    /// `n` random lower-case hex characters (dependent resource name suffixes, keys).
    fn hex(&self, n: usize) -> String {
        let mut s = String::with_capacity(n + 32);
        while s.len() < n {
            s.push_str(&self.uuid().simple().to_string());
        }
        s.truncate(n);
        s
    }
}

/// Random version-4 GUIDs (the default).
pub struct RandomIds;

impl IdGen for RandomIds {
    fn uuid(&self) -> Uuid {
        // The thread-local generator, not a `getrandom` syscall per GUID: every response
        // carries a fresh request id, so this is on the hot path.
        uuid::Builder::from_random_bytes(rand::random()).into_uuid()
    }
}

/// Version-4-shaped GUIDs from a seeded generator: the same seed gives the same sequence.
pub struct SeededIds {
    rng: Mutex<rand::rngs::StdRng>,
}

impl SeededIds {
    pub fn new(seed: u64) -> Self {
        SeededIds { rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)) }
    }
}

impl IdGen for SeededIds {
    fn uuid(&self) -> Uuid {
        let bytes: [u8; 16] = self.rng.lock().gen();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_ids_repeat() {
        let a = SeededIds::new(7);
        let b = SeededIds::new(7);
        assert_eq!(a.guid(), b.guid());
        assert_eq!(a.hex(40).len(), 40);
        assert!(a.guid().chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
