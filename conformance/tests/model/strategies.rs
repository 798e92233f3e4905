//! Inputs: few names with case variants, so collisions, recoveries and re-creations happen;
//! the LRO mode of each operation kind; clock steps around the `seconds:30` deadlines, the
//! hour finished operations stay pollable, and the 14 days of soft-delete retention.

use proptest::prelude::*;

use crate::reference::{Mode, Modes, RETENTION};

pub fn group() -> impl Strategy<Value = String> {
    prop_oneof![Just("rg-a".to_string()), Just("RG-A".to_string()), Just("rg-b".to_string()), Just("Rg-C".to_string())]
}

pub fn workspace() -> impl Strategy<Value = String> {
    prop_oneof![Just("ws1".to_string()), Just("WS1".to_string()), Just("ws-2".to_string()), Just("Ws_3".to_string())]
}

/// Environment names: two of one name in another casing, another, and now and then a curated
/// one (always refused for writes) or one with the reserved prefix.
pub fn env_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("env-a".to_string()),
        2 => Just("ENV-A".to_string()),
        3 => Just("env_b".to_string()),
        1 => Just("AzureML-Minimal".to_string()),
        1 => Just("azureml-mine".to_string()),
    ]
}

pub fn env_version() -> impl Strategy<Value = String> {
    prop_oneof![Just("1".to_string()), Just("2".to_string()), Just("3".to_string())]
}

/// Which of three images a version PUT names (the same image is the same definition).
pub fn env_image() -> impl Strategy<Value = u8> {
    0u8..3
}

pub fn description() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("first".to_string()), Just("second".to_string())]
}

/// One of `names` (as first cased), sometimes upper-cased: names are case-insensitive.
pub fn known(names: Vec<String>) -> impl Strategy<Value = String> {
    (proptest::sample::select(names), any::<bool>()).prop_map(|(n, upper)| if upper { n.to_uppercase() } else { n })
}

/// One of `pairs` (group, workspace as first cased), sometimes upper-cased.
pub fn known_pair(pairs: Vec<(String, String)>) -> impl Strategy<Value = (String, String)> {
    (proptest::sample::select(pairs), any::<bool>()).prop_map(|((g, w), upper)| {
        if upper {
            (g.to_uppercase(), w.to_uppercase())
        } else {
            (g, w)
        }
    })
}

/// `seconds:30` operations end 30 s after they start; finished operations are forgotten an
/// hour after they ended; soft-deleted workspaces are purged 14 days after their deletion.
pub fn seconds() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(10i64),
        Just(30),
        Just(3_600),
        Just(86_400 * 7),
        Just(86_400 * 13),
        Just(RETENTION),
        Just(86_400 * 15),
    ]
}

/// One kind's mode; shrinks towards `sync`.
pub fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Sync), Just(Mode::Polls(1)), Just(Mode::Polls(2)), Just(Mode::Seconds(30))]
}

pub fn modes() -> impl Strategy<Value = Modes> {
    (mode(), mode(), mode(), mode()).prop_map(|(group_delete, create, update, delete)| Modes {
        group_delete,
        create,
        update,
        delete,
    })
}
