//! Random sequences of the four steps against the in-memory fakes: any step, any order, repeated,
//! two at a time interleaved at every call, with any token (new, pending, current, previous,
//! abandoned, unknown), some killed at a random call, among what Secrets Manager and a person do
//! (RotateSecret when no rotation is in progress; removing a stuck AWSPENDING label, as the
//! CancelRotateSecret documentation advises). A seed that fails replays exactly.
//!
//! The invariant, checked after every action:
//! - alternating users: AWSCURRENT logs in, always;
//! - single user: AWSCURRENT logs in, or the password the database has is held by another version
//!   (a rotation between setSecret and finishSecret, or one abandoned after setSecret);
//! - a finishSecret that answered `Finished` left AWSCURRENT logging in and no AWSPENDING label;
//! - AWSCURRENT always has a value.
//!
//! and at the end, the rotation Secrets Manager then runs (the one in progress, or a new one)
//! completes at the first attempt with AWSCURRENT logging in. A person clears at most four stuck
//! rotations per sequence, so the version with the database's password stays within the recovery's
//! five newest versions (`recovery::RECOVERY_VERSIONS`), as it does in practice.

use crate::error::RotationError;
use crate::event::Step;
use crate::fakes::{Fakes, Fault, Rng};
use crate::protocol::Outcome;
use crate::tests::{setup, stage_logs_in, step, APP, STEPS};
use crate::Function;
use secrets::versions::{AWSCURRENT, AWSPENDING};
use serde_json::Value;

const SEQUENCES_PER_STRATEGY: u64 = 300;
const ACTIONS: usize = 20;
const MAX_CLEARS: usize = 4;

struct Sequence {
    function: Function<Fakes, Fakes, Fakes>,
    fakes: Fakes,
    rng: Rng,
    /// Every token the sequence has used: the first version's, those started, one never started.
    tokens: Vec<String>,
    started: usize,
    clears: usize,
    /// What happened, to tell a failing seed's story.
    story: Vec<String>,
}

impl Sequence {
    fn new(alternating: bool, seed: u64) -> Self {
        let (function, fakes) = setup(alternating);
        Self {
            function,
            fakes,
            rng: Rng::new(seed),
            tokens: vec!["v0".to_owned(), "never-started".to_owned()],
            started: 0,
            clears: 0,
            story: Vec::new(),
        }
    }

    /// The token of a rotation in progress: AWSPENDING on a version that is not AWSCURRENT.
    fn in_progress(&self) -> Option<String> {
        let world = self.fakes.world();
        let pending = world.version_with(APP, AWSPENDING)?;
        (world.version_with(APP, AWSCURRENT) != Some(pending.clone())).then_some(pending)
    }

    /// RotateSecret: refused while a rotation is in progress ("previous rotation isn't complete").
    fn start(&mut self) -> Option<String> {
        if self.in_progress().is_some() {
            self.story
                .push("RotateSecret refused: in progress".to_owned());
            return None;
        }
        self.started += 1;
        let token = format!("t{}", self.started);
        self.fakes.world().start_rotation(APP, &token);
        self.tokens.push(token.clone());
        self.story.push(format!("RotateSecret {token}"));
        Some(token)
    }

    fn clear(&mut self) {
        if let (Some(token), true) = (self.in_progress(), self.clears < MAX_CLEARS) {
            self.clears += 1;
            let mut world = self.fakes.world();
            let stages = &mut world.secret(APP).versions.get_mut(&token).unwrap().stages;
            stages.retain(|stage| stage != AWSPENDING);
            self.story
                .push(format!("AWSPENDING removed by hand from {token}"));
        }
    }

    /// Mostly the token of the rotation in progress (or the newest), sometimes any.
    fn token(&mut self) -> String {
        if self.rng.below(10) < 7 {
            return self
                .in_progress()
                .unwrap_or_else(|| self.tokens.last().unwrap().clone());
        }
        let index = self.rng.below(self.tokens.len());
        self.tokens[index].clone()
    }

    fn a_step(&mut self) -> Step {
        STEPS[self.rng.below(STEPS.len())]
    }

    fn fault(&mut self) -> Option<Fault> {
        (self.rng.below(3) == 0).then(|| Fault {
            at: 1 + self.rng.below(12),
            after_effect: self.rng.below(2) == 0,
        })
    }

    async fn act(&mut self) -> Vec<Result<Outcome, RotationError>> {
        match self.rng.below(10) {
            0 | 1 => {
                self.start();
                vec![]
            }
            2 => {
                self.clear();
                vec![]
            }
            choice => {
                let concurrent = choice >= 7;
                let runs: Vec<(Step, String)> = (0..1 + usize::from(concurrent))
                    .map(|_| (self.a_step(), self.token()))
                    .collect();
                let fault = self.fault();
                {
                    let mut world = self.fakes.world();
                    world.fault = fault;
                    world.counted = 0;
                    world.interleave = Some(Rng::new(self.rng.below(1 << 30) as u64));
                }
                let results = if let [(a, ta), (b, tb)] = runs.as_slice() {
                    let (x, y) =
                        tokio::join!(step(&self.function, ta, *a), step(&self.function, tb, *b));
                    vec![x, y]
                } else {
                    let (a, ta) = &runs[0];
                    vec![step(&self.function, ta, *a).await]
                };
                {
                    let mut world = self.fakes.world();
                    world.fault = None;
                    world.interleave = None;
                }
                for ((step, token), result) in runs.iter().zip(&results) {
                    self.story.push(format!(
                        "{} {token}{}: {:?}",
                        step.as_str(),
                        fault.map_or(String::new(), |f| format!(
                            " (call {} fails{})",
                            f.at,
                            if f.after_effect {
                                " after its effect"
                            } else {
                                ""
                            }
                        )),
                        result.as_ref().map_err(ToString::to_string)
                    ));
                }
                results
            }
        }
    }

    fn password_of(value: &str) -> Option<String> {
        let json: Value = serde_json::from_str(value).ok()?;
        json["password"].as_str().map(str::to_owned)
    }

    fn check(&self, alternating: bool, results: &[Result<Outcome, RotationError>]) {
        let story = self.story.join("\n  ");
        let world = self.fakes.world();
        assert!(
            world.value_at(APP, AWSCURRENT).is_some(),
            "AWSCURRENT has no value after:\n  {story}"
        );
        let finished = results
            .iter()
            .any(|result| matches!(result, Ok(Outcome::Finished)));
        if finished {
            assert_eq!(
                world.version_with(APP, AWSPENDING),
                None,
                "AWSPENDING left after a finish:\n  {story}"
            );
        }
        drop(world);
        let logs_in = stage_logs_in(&self.fakes, AWSCURRENT);
        assert!(
            logs_in || !(alternating || finished),
            "AWSCURRENT does not log in after:\n  {story}"
        );
        if !logs_in {
            let mut world = self.fakes.world();
            let database = world.roles["app"].password.clone();
            let held = world.secret(APP).versions.values().any(|version| {
                version.value.as_deref().and_then(Self::password_of) == Some(database.clone())
            });
            assert!(
                held,
                "the database's password is in no version after:\n  {story}"
            );
        }
    }

    /// What Secrets Manager does next: the rotation in progress, or a new one, all four steps.
    async fn complete(&mut self) -> Vec<Result<Outcome, RotationError>> {
        let token = match self.in_progress() {
            Some(token) => token,
            None => self.start().unwrap(),
        };
        let mut results = Vec::new();
        for next in STEPS {
            let result = step(&self.function, &token, next).await;
            let story = self.story.join("\n  ");
            assert!(
                result.is_ok(),
                "{next:?} {token}: {result:?} after:\n  {story}"
            );
            results.push(result);
        }
        let world = self.fakes.world();
        assert_eq!(world.version_with(APP, AWSCURRENT), Some(token));
        assert_eq!(world.version_with(APP, AWSPENDING), None);
        drop(world);
        assert!(stage_logs_in(&self.fakes, AWSCURRENT));
        results
    }
}

#[tokio::test]
async fn no_sequence_of_the_four_steps_leaves_an_awscurrent_that_does_not_log_in() {
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for alternating in [false, true] {
        for seed in 0..SEQUENCES_PER_STRATEGY {
            let mut sequence = Sequence::new(alternating, seed);
            sequence
                .story
                .push(format!("alternating={alternating} seed={seed}"));
            let mut count = |results: &[Result<Outcome, RotationError>]| {
                for result in results {
                    let name = match result {
                        Ok(outcome) => format!("{outcome:?}"),
                        Err(error) => format!("{:?}", env_core::NamedError::error_name(error)),
                    };
                    *outcomes.entry(name).or_default() += 1;
                }
            };
            for _ in 0..ACTIONS {
                let results = sequence.act().await;
                count(&results);
                sequence.check(alternating, &results);
            }
            count(&sequence.complete().await);
        }
    }
    eprintln!("outcomes over the sequences: {outcomes:?}");
    // The sequences reached every kind of answer, the recovery and the refusals included.
    for outcome in [
        "PendingCreated",
        "PendingAlreadyExists",
        "PasswordSet",
        "PasswordSetAfterRecovery",
        "RoleCreated",
        "PendingAlreadyLogsIn",
        "Tested",
        "Finished",
        "AlreadyCurrent",
        "InvalidEvent",
        "ComponentFailed",
        "Retryable",
    ] {
        assert!(
            outcomes.contains_key(outcome),
            "{outcome} never answered: {outcomes:?}"
        );
    }
}
