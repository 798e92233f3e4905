//! Device codes waiting for a user (the device-code flow, `az login --use-device-code`).
//!
//! A sign-in session is not ARM state: like the verified-token cache it lives beside the
//! signing key, bounded, with times from the emulator clock the caller passes in.

use std::collections::HashMap;

/// How many device codes may wait at once; the oldest are dropped first.
const MAX_PENDING: usize = 1024;

/// What a client asked a device code for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub client_id: String,
    pub scope: String,
    /// The tenant the flow was started in (`organizations`/`common` resolve to the default).
    pub tenant: String,
}

struct Pending {
    user_code: String,
    request: Request,
    issued_at: i64,
    expires_at: i64,
    polls: u32,
    approved_as: Option<String>,
}

/// The answer to one poll of the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Not approved yet: `authorization_pending`.
    Pending,
    /// Approved as this user: the code is used up.
    Approved { upn: String, request: Request },
    /// Past `expires_in`: `expired_token`.
    Expired,
    /// Never issued, or already redeemed: `invalid_grant`.
    Unknown,
}

#[derive(Default)]
pub struct DeviceCodes {
    pending: parking_lot::Mutex<HashMap<String, Pending>>,
}

impl DeviceCodes {
    /// Remembers a new device code until `now + expires_in`.
    pub fn start(&self, now: i64, expires_in: i64, device_code: &str, user_code: &str, request: Request) {
        let mut p = self.pending.lock();
        p.retain(|_, v| v.expires_at > now);
        while p.len() >= MAX_PENDING {
            let Some(oldest) = p.iter().min_by_key(|(_, v)| v.issued_at).map(|(k, _)| k.clone()) else { break };
            p.remove(&oldest);
        }
        p.insert(
            device_code.to_string(),
            Pending {
                user_code: user_code.to_string(),
                request,
                issued_at: now,
                expires_at: now + expires_in,
                polls: 0,
                approved_as: None,
            },
        );
    }

    /// One poll: counts it, approves the code as `default_user` once more than `auto_after`
    /// polls were answered pending (`None`: only [`DeviceCodes::approve`] does), and hands out
    /// an approved code once.
    pub fn poll(&self, now: i64, device_code: &str, auto_after: Option<u32>, default_user: &str) -> Poll {
        let mut p = self.pending.lock();
        let Some(entry) = p.get_mut(device_code) else { return Poll::Unknown };
        if entry.expires_at <= now {
            p.remove(device_code);
            return Poll::Expired;
        }
        if entry.approved_as.is_none() && auto_after.is_some_and(|n| entry.polls >= n) {
            entry.approved_as = Some(default_user.to_string());
        }
        entry.polls = entry.polls.saturating_add(1);
        match entry.approved_as.clone() {
            None => Poll::Pending,
            Some(upn) => {
                let request = entry.request.clone();
                p.remove(device_code);
                Poll::Approved { upn, request }
            }
        }
    }

    /// Approves the waiting code with this user code (case-insensitive) as `upn`; false when
    /// no unexpired code has it.
    pub fn approve(&self, now: i64, user_code: &str, upn: &str) -> bool {
        let mut p = self.pending.lock();
        match p.values_mut().find(|v| v.user_code.eq_ignore_ascii_case(user_code) && v.expires_at > now) {
            Some(v) => {
                v.approved_as = Some(upn.to_string());
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> Request {
        Request { client_id: "c".into(), scope: "s".into(), tenant: "t".into() }
    }

    #[test]
    fn a_code_is_pending_for_the_configured_polls_then_approved_once() {
        let d = DeviceCodes::default();
        d.start(0, 900, "dc", "UC", req());
        assert_eq!(d.poll(1, "dc", Some(2), "u"), Poll::Pending);
        assert_eq!(d.poll(2, "dc", Some(2), "u"), Poll::Pending);
        assert_eq!(d.poll(3, "dc", Some(2), "u"), Poll::Approved { upn: "u".into(), request: req() });
        assert_eq!(d.poll(4, "dc", Some(2), "u"), Poll::Unknown);
    }

    #[test]
    fn without_auto_approval_only_approve_releases_it_and_expiry_ends_it() {
        let d = DeviceCodes::default();
        d.start(0, 900, "dc", "UC", req());
        assert_eq!(d.poll(1, "dc", None, "u"), Poll::Pending);
        assert!(!d.approve(1, "other", "v"));
        assert!(d.approve(1, "uc", "v"));
        assert_eq!(d.poll(2, "dc", None, "u"), Poll::Approved { upn: "v".into(), request: req() });
        d.start(0, 900, "dc2", "UC2", req());
        assert_eq!(d.poll(900, "dc2", Some(0), "u"), Poll::Expired);
        assert!(!d.approve(900, "UC2", "v"));
    }
}
