//! Model-based property test (proptest-state-machine): random sequences of user actions run
//! against the reference model and, through the `armctl` client, against the emulator; every
//! answer the emulator gives (statuses, error codes, how long-running operations end) must be
//! the one the model predicts, and after every step the emulator's observable state must equal
//! the model's. Each case starts by choosing the LRO mode of group deletes and workspace
//! creates, updates and deletes (`sync`, `polls:N`, `seconds:T`). Environment versions ride
//! along (new, identical and changed PUTs, get, latest, archive and restore), checked through
//! their workspace's soft delete, recovery and purge. Failing sequences shrink.
//! `PROPTEST_CASES` sets the number of sequences (small in `make test`, large in `make fuzz`).

mod reference;
mod regressions;
mod strategies;
mod sut;
mod transition;

use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};

use reference::Model;
use sut::Sut;
use transition::Transition;

pub struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Model> {
        strategies::modes().prop_map(Model::with_modes).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Transition> {
        use strategies::*;
        let any_action = prop_oneof![
            3 => group().prop_map(|name| Transition::CreateGroup { name }),
            1 => (group(), proptest::option::of(description())).prop_map(|(name, env)| Transition::UpdateGroup { name, env }),
            1 => group().prop_map(|name| Transition::DeleteGroup { name }),
            2 => Just(Transition::RegisterMl),
            1 => Just(Transition::UnregisterMl),
            3 => (group(), workspace(), any::<bool>(), any::<bool>(), description()).prop_map(|(group, name, recover, reuse, description)| Transition::CreateWorkspace { group, name, recover, reuse, description }),
            1 => (group(), workspace(), description()).prop_map(|(group, name, description)| Transition::UpdateWorkspace { group, name, description }),
            2 => (group(), workspace(), any::<bool>()).prop_map(|(group, name, purge)| Transition::DeleteWorkspace { group, name, purge }),
            2 => seconds().prop_map(|seconds| Transition::AdvanceClock { seconds }),
        ];
        let mut choices: Vec<(u32, BoxedStrategy<Transition>)> = vec![(16, any_action.boxed())];
        // Random names often miss: also act on the groups and workspaces that exist (in
        // another casing at times), so that updates, deletes, re-creations, conflicts with
        // running operations and the soft-delete 400 happen.
        let groups: Vec<String> = state.groups.values().map(|g| g.name.clone()).collect();
        if !groups.is_empty() {
            let in_group = prop_oneof![
                4 => (known(groups.clone()), workspace(), any::<bool>(), description()).prop_map(|(group, name, reuse, description)| Transition::CreateWorkspace { group, name, recover: false, reuse, description }),
                1 => known(groups).prop_map(|name| Transition::DeleteGroup { name }),
            ];
            choices.push((5, in_group.boxed()));
        }
        let workspaces: Vec<(String, String)> =
            state.workspaces.values().map(|w| (w.group.clone(), w.name.clone())).collect();
        if !workspaces.is_empty() {
            let on_workspace = prop_oneof![
                3 => (known_pair(workspaces.clone()), any::<bool>()).prop_map(|((group, name), purge)| Transition::DeleteWorkspace { group, name, purge }),
                2 => (known_pair(workspaces.clone()), description()).prop_map(|((group, name), description)| Transition::UpdateWorkspace { group, name, description }),
                2 => (known_pair(workspaces), any::<bool>(), any::<bool>(), description()).prop_map(|((group, name), recover, reuse, description)| Transition::CreateWorkspace { group, name, recover, reuse, description }),
            ];
            choices.push((8, on_workspace.boxed()));
        }
        // Environments live under workspaces (live ones, and soft-deleted ones: 404 then).
        let all_workspaces: Vec<(String, String)> =
            state.workspaces.values().map(|w| (w.group.clone(), w.name.clone())).collect();
        if !all_workspaces.is_empty() {
            let w = all_workspaces;
            let on_env = prop_oneof![
                4 => (known_pair(w.clone()), env_name(), env_version(), env_image(), any::<bool>()).prop_map(
                    |((group, workspace), env, version, image, archived)| Transition::PutEnv { group, workspace, env, version, image, archived }
                ),
                1 => (known_pair(w.clone()), env_name(), env_version())
                    .prop_map(|((group, workspace), env, version)| Transition::GetEnv { group, workspace, env, version }),
                1 => (known_pair(w), env_name()).prop_map(|((group, workspace), env)| Transition::LatestEnv { group, workspace, env }),
            ];
            choices.push((6, on_env.boxed()));
        }
        // And on the versions that exist: re-PUT (the same image or another), archive, restore.
        let versions = state.env_versions();
        if !versions.is_empty() {
            let again = (proptest::sample::select(versions.clone()), env_image(), any::<bool>()).prop_map(
                |((group, workspace, env, version), image, archived)| Transition::PutEnv {
                    group,
                    workspace,
                    env,
                    version,
                    image,
                    archived,
                },
            );
            let archive = (proptest::sample::select(versions), any::<bool>()).prop_map(
                |((group, workspace, env, version), archived)| Transition::ArchiveEnv {
                    group,
                    workspace,
                    env,
                    version,
                    archived,
                },
            );
            choices.push((3, again.boxed()));
            choices.push((3, archive.boxed()));
        }
        // Recovery needs a create, a soft delete and then a recovering PUT of the same name:
        // when there are soft-deleted workspaces, also try to recover one of them (recovery
        // keeps the workspace's dependents and creates none).
        let tombstones: Vec<(String, String)> =
            state.soft_deleted().map(|w| (w.group.clone(), w.name.clone())).collect();
        if !tombstones.is_empty() {
            let recovery = (known_pair(tombstones), any::<bool>(), description()).prop_map(
                |((group, name), reuse, description)| Transition::CreateWorkspace {
                    group,
                    name,
                    recover: true,
                    reuse,
                    description,
                },
            );
            choices.push((2, recovery.boxed()));
        }
        // Let the operations left running end, or not quite yet.
        if state.running() > 0 {
            let step = prop_oneof![Just(10i64), Just(30)].prop_map(|seconds| Transition::AdvanceClock { seconds });
            choices.push((2, step.boxed()));
        }
        // Poll the operations left running (or ended since).
        let pollable = state.pollable_handles();
        if !pollable.is_empty() {
            choices.push((3, proptest::sample::select(pollable).prop_map(|op| Transition::Poll { op }).boxed()));
        }
        proptest::strategy::Union::new_weighted(choices).boxed()
    }

    /// Transitions that pick from the state must still find it there once shrinking has
    /// removed earlier steps.
    fn preconditions(state: &Model, t: &Transition) -> bool {
        match t {
            Transition::Poll { op } => state.pollable(*op),
            _ => true,
        }
    }

    fn apply(state: Model, t: &Transition) -> Model {
        state.apply(t)
    }
}

impl StateMachineTest for sut::Sut {
    type SystemUnderTest = sut::Sut;
    type Reference = Reference;

    fn init_test(initial: &Model) -> sut::Sut {
        sut::Sut::new(initial.modes)
    }

    fn apply(mut sut: sut::Sut, expected: &Model, t: Transition) -> sut::Sut {
        let got = sut.apply(&t);
        assert_eq!(got, expected.last, "answer to {t:?}");
        sut.check(expected);
        sut
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

prop_state_machine! {
    #![proptest_config(Config { cases: cases(), failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))), ..Config::default() })]
    #[test]
    fn emulator_matches_the_reference_model(sequential 1..25 => Sut);
}
