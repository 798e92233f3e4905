//! Committed regressions: sequences the property test found (shrunk) or that guard a rule it
//! reaches only rarely, replayed deterministically through the same model, client and checks.
//! When `emulator_matches_the_reference_model` fails, add its minimal sequence here (proptest
//! also records the seed in `main.regressions` next to `main.rs`; commit that file too).

use crate::reference::{Model, RETENTION};
use crate::sut::Sut;
use crate::transition::Transition;
use crate::transition::Transition::*;

fn group(name: &str) -> Transition {
    CreateGroup { name: name.into() }
}

fn create(group: &str, name: &str) -> Transition {
    CreateWorkspace { group: group.into(), name: name.into(), recover: false, reuse: false, description: String::new() }
}

fn recover(group: &str, name: &str) -> Transition {
    CreateWorkspace { group: group.into(), name: name.into(), recover: true, reuse: false, description: String::new() }
}

fn reuse(group: &str, name: &str) -> Transition {
    CreateWorkspace { group: group.into(), name: name.into(), recover: false, reuse: true, description: String::new() }
}

fn delete(group: &str, name: &str) -> Transition {
    DeleteWorkspace { group: group.into(), name: name.into(), purge: false }
}

fn purge(group: &str, name: &str) -> Transition {
    DeleteWorkspace { group: group.into(), name: name.into(), purge: true }
}

/// Applies `steps` to the model and the emulator, comparing the answer and the whole observable
/// state after each step (what the property test does for a generated sequence). Returns the
/// final model, for assertions that pin the model itself.
fn replay(steps: &[Transition]) -> Model {
    let sut = Sut::new();
    let mut model = Model::default();
    for (i, t) in steps.iter().enumerate() {
        model = model.apply(t);
        let got = sut.apply(t);
        assert_eq!(got, model.last, "step {i}: answer to {t:?}");
        sut.check(&model);
    }
    model
}

#[test]
fn recovery_keeps_the_dependents_and_creates_none() {
    let m = replay(&[group("rg-a"), create("rg-a", "ws1"), delete("rg-a", "ws1"), recover("RG-A", "WS1")]);
    assert_eq!((m.last, m.sets.len(), m.live().count()), (Ok(200), 1, 1));
    assert_eq!(m.live().next().map(|w| w.name.as_str()), Some("ws1"), "recovery keeps the first casing");
}

#[test]
fn a_soft_deleted_name_is_held_in_any_casing_until_purged() {
    replay(&[
        group("rg-a"),
        create("rg-a", "ws1"),
        delete("rg-a", "ws1"),
        create("rg-a", "WS1"),
        purge("rg-a", "ws1"),
        create("rg-a", "WS1"),
    ]);
}

#[test]
fn retention_ends_the_soft_delete_but_not_the_dependents() {
    replay(&[
        group("rg-a"),
        create("rg-a", "ws1"),
        delete("rg-a", "ws1"),
        AdvanceClock { seconds: RETENTION - 3_600 },
        AdvanceClock { seconds: 7_200 },
        create("rg-a", "ws1"),
    ]);
}

#[test]
fn a_reused_dependent_set_cannot_replace_a_live_workspaces_own() {
    let m = replay(&[
        group("rg-a"),
        create("rg-a", "ws-2"),
        create("rg-a", "ws1"),
        reuse("rg-a", "ws1"),
        reuse("rg-a", "ws-3"),
    ]);
    assert_eq!((m.sets.len(), m.live().count()), (2, 3), "ws-3 shares ws-2's set");
}

#[test]
fn a_group_delete_takes_live_and_soft_deleted_workspaces_and_all_dependents() {
    replay(&[
        group("rg-a"),
        group("rg-b"),
        create("rg-a", "ws1"),
        reuse("rg-a", "ws-2"),
        delete("rg-a", "ws1"),
        create("rg-b", "ws1"),
        DeleteGroup { name: "RG-A".into() },
        group("rg-a"),
        create("rg-a", "ws1"),
    ]);
}

#[test]
fn unregistering_the_provider_refuses_writes_but_keeps_what_exists() {
    replay(&[
        group("rg-a"),
        create("rg-a", "ws1"),
        UnregisterMl,
        create("rg-a", "ws-2"),
        UpdateWorkspace { group: "rg-a".into(), name: "ws1".into(), description: "x".into() },
        delete("rg-a", "ws1"),
        RegisterMl,
        recover("rg-a", "ws1"),
    ]);
}

#[test]
fn a_patch_sets_group_tags_and_a_put_without_tags_clears_them() {
    let set = |env: Option<&str>| UpdateGroup { name: "RG-A".into(), env: env.map(String::from) };
    let m = replay(&[
        group("rg-a"),
        set(Some("test")),
        group("Rg-A"),
        set(Some("prod")),
        set(None),
        UpdateGroup { name: "rg-b".into(), env: None },
    ]);
    assert_eq!(m.last, Err((404, "ResourceGroupNotFound")));
    assert_eq!(m.group_tags.get("rg-a"), Some(&None));
}
