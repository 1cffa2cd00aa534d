//! A few random sequences of the four steps against moto and PostgreSQL over TLS (the in-memory
//! fakes run hundreds, functions/rotation/src/sequences.rs): any step with any token, two at a time
//! concurrently, among RotateSecret (refused while a rotation is in progress) and a person removing
//! a stuck AWSPENDING label. After each action AWSCURRENT logs in (single user: or some version
//! holds the password the database has); at the end the rotation Secrets Manager runs completes.

use integration_tests::emulator::emulator;
use integration_tests::rotation::{fixture, logs_in, parts, token, Fixture};
use rotation::error::RotationError;
use rotation::event::{RotationEvent, Step};
use rotation::protocol::Outcome;
use rotation::Function;
use secrets::versions::{AWSCURRENT, AWSPENDING};
use secrets::Secrets;
use serde_json::Value;

const SEEDS: u64 = 3;
const ACTIONS: usize = 12;
const STEPS: [Step; 4] = [Step::Create, Step::Set, Step::Test, Step::Finish];

/// xorshift64*, so a failing seed replays.
struct Rng(u64);

impl Rng {
    /// Seeds spread by splitmix64, so neighbouring seeds start far apart.
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)) | 1)
    }

    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % bound as u64) as usize
    }
}

struct Sequence {
    f: Fixture,
    rng: Rng,
    tokens: Vec<String>,
    /// The token RotateSecret started, until createSecret gives it a version.
    started: Option<String>,
    story: Vec<String>,
    /// Steps that did something (success other than `AlreadyCurrent`), before the completion.
    succeeded: usize,
}

impl Sequence {
    async fn in_progress(&self) -> Option<String> {
        if let Some(token) = &self.started {
            if !self.f.versions().await.contains_key(token) {
                return Some(token.clone());
            }
        }
        let pending = self.f.version_with(AWSPENDING).await?;
        (self.f.version_with(AWSCURRENT).await != Some(pending.clone())).then_some(pending)
    }

    async fn run(&self, token: &str, step: Step) -> Result<Outcome, RotationError> {
        if self.started.as_deref() == Some(token) {
            return self.f.in_process(token, step).await;
        }
        let config = emulator().sdk_config().await;
        let function = Function::new(Secrets::new(&config), parts(&config));
        let event = RotationEvent {
            secret_id: self.f.secret.clone(),
            client_request_token: token.to_owned(),
            step,
        };
        function.handle(event).await.map(|result| result.outcome)
    }

    async fn pick_token(&mut self) -> String {
        if self.rng.below(10) < 7 {
            if let Some(token) = self.in_progress().await {
                return token;
            }
        }
        let index = self.rng.below(self.tokens.len());
        self.tokens[index].clone()
    }

    async fn act(&mut self) {
        let in_progress = self.in_progress().await;
        match (in_progress, self.rng.below(10)) {
            (None, 0..=4) => {
                let next = token(100 + u32::try_from(self.tokens.len()).expect("a few tokens"));
                self.story.push(format!("RotateSecret {next}"));
                self.tokens.push(next.clone());
                self.started = Some(next);
            }
            (Some(stuck), 0) => {
                self.story
                    .push(format!("AWSPENDING removed by hand from {stuck}"));
                if self.f.versions().await.contains_key(&stuck) {
                    self.f.clear_pending(&stuck).await;
                }
                self.started = None;
            }
            (_, 1..=6) => {
                let (step, token) = (STEPS[self.rng.below(4)], self.pick_token().await);
                let result = self.run(&token, step).await;
                self.tally(&result);
                self.story.push(format!(
                    "{} {token}: {:?}",
                    step.as_str(),
                    result.map_err(|e| e.to_string())
                ));
            }
            _ => {
                let (a, ta) = (STEPS[self.rng.below(4)], self.pick_token().await);
                let (b, tb) = (STEPS[self.rng.below(4)], self.pick_token().await);
                let (x, y) = tokio::join!(self.run(&ta, a), self.run(&tb, b));
                self.tally(&x);
                self.tally(&y);
                self.story.push(format!(
                    "{} {ta} | {} {tb}: {:?} | {:?}",
                    a.as_str(),
                    b.as_str(),
                    x.map_err(|e| e.to_string()),
                    y.map_err(|e| e.to_string())
                ));
            }
        }
    }

    /// Counts the steps that did something.
    fn tally(&mut self, result: &Result<Outcome, RotationError>) {
        if matches!(result, Ok(outcome) if *outcome != Outcome::AlreadyCurrent) {
            self.succeeded += 1;
        }
    }

    /// Whether the credentials of some version of the secret log in.
    async fn some_version_logs_in(&self) -> bool {
        let listed = self
            .f
            .client
            .list_secret_version_ids()
            .secret_id(&self.f.secret)
            .include_deprecated(true)
            .send()
            .await
            .expect("ListSecretVersionIds");
        for version in listed.versions() {
            let value = self
                .f
                .client
                .get_secret_value()
                .secret_id(&self.f.secret)
                .version_id(version.version_id().expect("a version id"))
                .send()
                .await
                .expect("GetSecretValue");
            let text = value.secret_string().expect("every version has a value");
            let json: Value = serde_json::from_str(text).expect("JSON");
            let user = json["username"].as_str().expect("a username");
            let password = json["password"].as_str().expect("a password");
            if logs_in(user, password, &self.f.scratch.dbname).await {
                return true;
            }
        }
        false
    }

    async fn check(&self, alternating: bool) {
        let story = self.story.join("\n  ");
        if self.f.stage_logs_in(AWSCURRENT).await {
            return;
        }
        assert!(!alternating, "AWSCURRENT does not log in after:\n  {story}");
        assert!(
            self.some_version_logs_in().await,
            "no version logs in after:\n  {story}"
        );
    }

    async fn complete(&mut self) {
        let token = match self.in_progress().await {
            Some(token) => token,
            None => {
                let next = token(999);
                self.started = Some(next.clone());
                next
            }
        };
        for step in STEPS {
            let result = self.run(&token, step).await;
            self.story.push(format!(
                "then {} {token}: {:?}",
                step.as_str(),
                result.as_ref().map_err(ToString::to_string)
            ));
            assert!(
                result.is_ok(),
                "{} {token}: {:?} after:\n  {}",
                step.as_str(),
                result.err().map(|e| e.to_string()),
                self.story.join("\n  ")
            );
        }
        assert_eq!(self.f.version_with(AWSCURRENT).await, Some(token));
        assert_eq!(self.f.version_with(AWSPENDING).await, None);
        assert!(self.f.stage_logs_in(AWSCURRENT).await);
    }
}

#[tokio::test]
async fn random_sequences_against_postgresql_end_with_an_awscurrent_that_logs_in() {
    let mut succeeded = 0;
    for alternating in [false, true] {
        for seed in 1..=SEEDS {
            let f = fixture(alternating).await;
            let first = f.version_with(AWSCURRENT).await.unwrap();
            let mut sequence = Sequence {
                f,
                rng: Rng::new(seed + 100 * u64::from(alternating)),
                tokens: vec![first],
                started: None,
                story: vec![format!("alternating={alternating} seed={seed}")],
                succeeded: 0,
            };
            for _ in 0..ACTIONS {
                sequence.act().await;
                sequence.check(alternating).await;
            }
            sequence.complete().await;
            eprintln!("{}", sequence.story.join("\n  "));
            succeeded += sequence.succeeded;
        }
    }
    // Not only refusals: steps took effect along the way.
    assert!(succeeded >= 6, "{succeeded} steps did something");
}
