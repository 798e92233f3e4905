//! The states things move through, as enums (never compared as strings): provisioning,
//! provider registration, subscriptions, long-running operations, and the modes that decide
//! how fast operations and registrations settle.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Implements `Display`, `Serialize` and `Deserialize` through `as_str`/`parse`.
macro_rules! text_enum {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// `properties.provisioningState` of a resource or resource group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisioningState {
    Succeeded,
    Creating,
    Updating,
    Deleting,
    Failed,
    Canceled,
}

impl ProvisioningState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProvisioningState::Succeeded => "Succeeded",
            ProvisioningState::Creating => "Creating",
            ProvisioningState::Updating => "Updating",
            ProvisioningState::Deleting => "Deleting",
            ProvisioningState::Failed => "Failed",
            ProvisioningState::Canceled => "Canceled",
        }
    }
}

impl FromStr for ProvisioningState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            ProvisioningState::Succeeded,
            ProvisioningState::Creating,
            ProvisioningState::Updating,
            ProvisioningState::Deleting,
            ProvisioningState::Failed,
            ProvisioningState::Canceled,
        ]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("unknown provisioning state '{s}'"))
    }
}

text_enum!(ProvisioningState);

/// A provider's `registrationState` in a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationState {
    NotRegistered,
    Registering,
    Registered,
    Unregistering,
}

impl RegistrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::NotRegistered => "NotRegistered",
            RegistrationState::Registering => "Registering",
            RegistrationState::Registered => "Registered",
            RegistrationState::Unregistering => "Unregistering",
        }
    }

    /// The state a transition in progress ends in.
    pub fn settled(self) -> RegistrationState {
        match self {
            RegistrationState::Registering => RegistrationState::Registered,
            RegistrationState::Unregistering => RegistrationState::NotRegistered,
            s => s,
        }
    }
}

impl FromStr for RegistrationState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            RegistrationState::NotRegistered,
            RegistrationState::Registering,
            RegistrationState::Registered,
            RegistrationState::Unregistering,
        ]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("unknown registration state '{s}'"))
    }
}

text_enum!(RegistrationState);

/// A subscription's `state`. Anything but `Enabled` is read-only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SubscriptionState {
    #[default]
    Enabled,
    Warned,
    PastDue,
    Disabled,
    Deleted,
    /// A state this emulator does not know, kept as given (and treated as read-only).
    Other(String),
}

impl SubscriptionState {
    pub fn as_str(&self) -> &str {
        match self {
            SubscriptionState::Enabled => "Enabled",
            SubscriptionState::Warned => "Warned",
            SubscriptionState::PastDue => "PastDue",
            SubscriptionState::Disabled => "Disabled",
            SubscriptionState::Deleted => "Deleted",
            SubscriptionState::Other(s) => s,
        }
    }

    pub fn is_writable(&self) -> bool {
        *self == SubscriptionState::Enabled
    }
}

impl From<&str> for SubscriptionState {
    fn from(s: &str) -> SubscriptionState {
        [
            SubscriptionState::Enabled,
            SubscriptionState::Warned,
            SubscriptionState::PastDue,
            SubscriptionState::Disabled,
            SubscriptionState::Deleted,
        ]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(s))
        .unwrap_or_else(|| SubscriptionState::Other(s.to_string()))
    }
}

impl FromStr for SubscriptionState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(SubscriptionState::from(s))
    }
}

impl fmt::Display for SubscriptionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SubscriptionState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubscriptionState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(SubscriptionState::from(String::deserialize(d)?.as_str()))
    }
}

/// The `status` of a long-running operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationStatus {
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}

impl OperationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::InProgress => "InProgress",
            OperationStatus::Succeeded => "Succeeded",
            OperationStatus::Failed => "Failed",
            OperationStatus::Canceled => "Canceled",
        }
    }

    pub fn is_terminal(self) -> bool {
        self != OperationStatus::InProgress
    }
}

impl FromStr for OperationStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [OperationStatus::InProgress, OperationStatus::Succeeded, OperationStatus::Failed, OperationStatus::Canceled]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown operation status '{s}'"))
    }
}

text_enum!(OperationStatus);

/// How an operation kind completes. Parsed from `sync`, `polls:N[:fail]`, `seconds:T[:fail]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LroMode {
    Sync,
    Polls { n: u32, fail: bool },
    Seconds { t: u64, fail: bool },
}

impl LroMode {
    pub fn as_str(&self) -> String {
        self.to_string()
    }

    /// True for the modes that end `Failed`.
    pub fn fails(self) -> bool {
        matches!(self, LroMode::Polls { fail: true, .. } | LroMode::Seconds { fail: true, .. })
    }
}

impl FromStr for LroMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        let fail = match parts.get(2) {
            None => false,
            Some(x) if x.eq_ignore_ascii_case("fail") => true,
            Some(x) => return Err(format!("unknown LRO mode suffix '{x}' (expected 'fail')")),
        };
        if parts.len() > 3 {
            return Err(format!("unknown LRO mode '{s}' (expected sync, polls:N[:fail] or seconds:T[:fail])"));
        }
        let num = |p: Option<&&str>| -> Result<u64, String> {
            p.ok_or_else(|| format!("LRO mode '{s}' needs a number"))?
                .parse::<u64>()
                .map_err(|_| format!("LRO mode '{s}' needs a whole number"))
        };
        match parts[0].to_ascii_lowercase().as_str() {
            "sync" if parts.len() == 1 => Ok(LroMode::Sync),
            "polls" => Ok(LroMode::Polls { n: num(parts.get(1))?.min(u32::MAX as u64) as u32, fail }),
            "seconds" => Ok(LroMode::Seconds { t: num(parts.get(1))?, fail }),
            _ => Err(format!("unknown LRO mode '{s}' (expected sync, polls:N[:fail] or seconds:T[:fail])")),
        }
    }
}

impl fmt::Display for LroMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sfx = |fail: bool| if fail { ":fail" } else { "" };
        match self {
            LroMode::Sync => write!(f, "sync"),
            LroMode::Polls { n, fail } => write!(f, "polls:{n}{}", sfx(*fail)),
            LroMode::Seconds { t, fail } => write!(f, "seconds:{t}{}", sfx(*fail)),
        }
    }
}

impl Serialize for LroMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for LroMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// When a provider registration (or unregistration) settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationDelay {
    Immediate,
    Polls(u32),
    Seconds(u64),
}

impl FromStr for RegistrationDelay {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s.split_once(':').unwrap_or((s, ""));
        let num = || n.parse::<u64>().map_err(|_| format!("'{s}' needs a whole number after ':'"));
        match k {
            "immediate" if n.is_empty() => Ok(RegistrationDelay::Immediate),
            "polls" => Ok(RegistrationDelay::Polls(num()?.min(u32::MAX as u64) as u32)),
            "seconds" => Ok(RegistrationDelay::Seconds(num()?)),
            _ => Err(format!("unknown registration delay '{s}' (expected immediate, polls:N or seconds:T)")),
        }
    }
}

impl fmt::Display for RegistrationDelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationDelay::Immediate => write!(f, "immediate"),
            RegistrationDelay::Polls(n) => write!(f, "polls:{n}"),
            RegistrationDelay::Seconds(t) => write!(f, "seconds:{t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_print() {
        for s in ["sync", "polls:3", "polls:2:fail", "seconds:10", "seconds:5:fail"] {
            assert_eq!(s.parse::<LroMode>().unwrap().to_string(), s);
        }
        for bad in ["polls", "sometimes", "polls:1:maybe", "sync:1", "polls:x", "polls:1:fail:x"] {
            assert!(bad.parse::<LroMode>().is_err(), "{bad}");
        }
        for s in ["immediate", "polls:2", "seconds:5"] {
            assert_eq!(s.parse::<RegistrationDelay>().unwrap().to_string(), s);
        }
        assert!("later".parse::<RegistrationDelay>().is_err());
    }

    #[test]
    fn states_round_trip_through_their_text() {
        for p in ["Succeeded", "Creating", "Updating", "Deleting", "Failed", "Canceled"] {
            assert_eq!(p.parse::<ProvisioningState>().unwrap().as_str(), p);
        }
        assert_eq!(SubscriptionState::from("enabled"), SubscriptionState::Enabled);
        assert!(!SubscriptionState::from("Odd").is_writable());
        assert_eq!(RegistrationState::Registering.settled(), RegistrationState::Registered);
        assert_eq!(RegistrationState::Unregistering.settled(), RegistrationState::NotRegistered);
    }
}
