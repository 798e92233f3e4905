//! Model-based property test (proptest-state-machine): random sequences of user actions run
//! against the reference model and, through the `armctl` client, against the emulator; after
//! every step the emulator's observable state must equal the model's. Failing sequences shrink.
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
        Just(Model::default()).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Transition> {
        use strategies::*;
        let any_action = prop_oneof![
            3 => group().prop_map(|name| Transition::CreateGroup { name }),
            1 => (group(), proptest::option::of(description())).prop_map(|(name, env)| Transition::UpdateGroup { name, env }),
            1 => group().prop_map(|name| Transition::DeleteGroup { name }),
            1 => Just(Transition::RegisterMl),
            1 => Just(Transition::UnregisterMl),
            5 => (group(), workspace(), any::<bool>(), any::<bool>(), description()).prop_map(|(group, name, recover, reuse, description)| Transition::CreateWorkspace { group, name, recover, reuse, description }),
            2 => (group(), workspace(), description()).prop_map(|(group, name, description)| Transition::UpdateWorkspace { group, name, description }),
            3 => (group(), workspace(), any::<bool>()).prop_map(|(group, name, purge)| Transition::DeleteWorkspace { group, name, purge }),
            1 => seconds().prop_map(|seconds| Transition::AdvanceClock { seconds }),
        ];
        // Recovery needs a create, a soft delete and then a recovering PUT of the same name, which
        // random names rarely give: when there are soft-deleted workspaces, also try to recover
        // one of them (recovery keeps the workspace's dependents and creates none).
        let tombstones: Vec<(String, String)> =
            state.soft_deleted().map(|w| (w.group.clone(), w.name.clone())).collect();
        if tombstones.is_empty() {
            return any_action.boxed();
        }
        let recovery = (proptest::sample::select(tombstones), any::<bool>(), description()).prop_map(
            |((group, name), reuse, description)| Transition::CreateWorkspace {
                group,
                name,
                recover: true,
                reuse,
                description,
            },
        );
        prop_oneof![17 => any_action, 2 => recovery].boxed()
    }

    fn apply(state: Model, t: &Transition) -> Model {
        state.apply(t)
    }
}

impl StateMachineTest for sut::Sut {
    type SystemUnderTest = sut::Sut;
    type Reference = Reference;

    fn init_test(_ref: &Model) -> sut::Sut {
        sut::Sut::new()
    }

    fn apply(sut: sut::Sut, expected: &Model, t: Transition) -> sut::Sut {
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
