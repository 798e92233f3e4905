//! Inputs: few names with case variants, so collisions, recoveries and re-creations happen.

use proptest::prelude::*;

pub fn group() -> impl Strategy<Value = String> {
    prop_oneof![Just("rg-a".to_string()), Just("RG-A".to_string()), Just("rg-b".to_string()), Just("Rg-C".to_string())]
}

pub fn workspace() -> impl Strategy<Value = String> {
    prop_oneof![Just("ws1".to_string()), Just("WS1".to_string()), Just("ws-2".to_string()), Just("Ws_3".to_string())]
}

pub fn description() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("first".to_string()), Just("second".to_string())]
}

pub fn seconds() -> impl Strategy<Value = i64> {
    prop_oneof![Just(3_600i64), Just(86_400 * 7), Just(86_400 * 13), Just(86_400 * 15)]
}
