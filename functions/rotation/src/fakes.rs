//! In-memory Secrets Manager, PostgreSQL and ElastiCache for the protocol's unit tests: they keep
//! the rules the real services enforce that the protocol relies on, log every call, and fail any
//! chosen call, before or after its effect, to test crash safety. With `interleave` set, every call
//! first yields to the runtime a pseudo-random number of times, so steps run concurrently
//! (`tokio::join!`) interleave differently from one seed to the next.
//!
//! Here: the world they share, its call log, faults and clock. Each service is a file of its own:
//! [`secrets_manager`], [`postgres`] and [`elasticache`] (with the ECS service).

mod elasticache;
mod postgres;
mod secrets_manager;

pub use elasticache::FakeCache;
pub use postgres::{Role, HOST};
pub use secrets_manager::{Secret, Version};

use crate::database::DbError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use env_core::AwsCallError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A small deterministic pseudo-random generator (xorshift64*), so a failing seed replays.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33;
        (value % bound as u64) as usize
    }
}

/// Fail the call with this number (counted from 1 since the fault was set), before or after its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub at: usize,
    pub after_effect: bool,
}

#[derive(Debug, Default)]
pub struct World {
    pub secrets: BTreeMap<String, Secret>,
    pub roles: BTreeMap<String, Role>,
    pub calls: Vec<String>,
    pub fault: Option<Fault>,
    pub counted: usize,
    pub generated: usize,
    /// Every connection attempt fails as if the server were down.
    pub unreachable: bool,
    /// Every statement but the catalog read fails (a master without the needed privileges).
    pub statements_fail: bool,
    /// Role → the privileges granted to it on objects (`CONNECT ON DATABASE catalog` …).
    pub privileges: BTreeMap<String, Vec<String>>,
    /// The clock that dates new versions.
    pub clock: u64,
    /// Yields before each call, for interleaving concurrent steps.
    pub interleave: Option<Rng>,
    /// The Redis replication group and its server, for the AUTH token's rotation.
    pub cache: FakeCache,
}

pub fn aws_failure(operation: &'static str, status: u16, code: &str) -> AwsCallError {
    let metadata = ErrorMetadata::builder().code(code).message("fake").build();
    let response = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
    AwsCallError::new(operation, SdkError::service_error(metadata, response))
}

#[derive(Debug)]
enum Injected {
    Before,
    After,
}

impl World {
    /// Logs a call and says whether it is the one to fail.
    fn begin(&mut self, call: String) -> Option<Injected> {
        self.calls.push(call);
        let fault = self.fault?;
        self.counted += 1;
        match (self.counted == fault.at, fault.after_effect) {
            (true, false) => Some(Injected::Before),
            (true, true) => Some(Injected::After),
            _ => None,
        }
    }

    /// Fails the `at`-th call from now (counted from 1), before or after its effect.
    pub fn fail_call(&mut self, at: usize, after_effect: bool) {
        self.fault = Some(Fault { at, after_effect });
        self.counted = 0;
    }

    pub fn calls_named(&self, prefix: &str) -> usize {
        self.calls.iter().filter(|c| c.starts_with(prefix)).count()
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }
}

#[derive(Debug, Clone, Default)]
pub struct Fakes(pub Arc<Mutex<World>>);

impl Fakes {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }

    /// Yields to the runtime a few times when interleaving, so a concurrent step may run between
    /// two calls of this one.
    async fn pause(&self) {
        let yields = {
            let mut world = self.world();
            world.interleave.as_mut().map_or(0, |rng| rng.below(3))
        };
        for _ in 0..yields {
            tokio::task::yield_now().await;
        }
    }

    fn aws<T>(
        &self,
        operation: &'static str,
        detail: String,
        effect: impl FnOnce(&mut World) -> Result<T, AwsCallError>,
    ) -> Result<T, AwsCallError> {
        let mut world = self.world();
        let injected = world.begin(format!("{operation} {detail}"));
        if let Some(Injected::Before) = injected {
            return Err(aws_failure(operation, 500, "InternalFailure"));
        }
        // A failure after the effect replaces whatever the call answered.
        let result = effect(&mut world);
        match injected {
            Some(_) => Err(aws_failure(operation, 500, "InternalFailure")),
            None => result,
        }
    }

    fn db<T>(
        &self,
        call: String,
        effect: impl FnOnce(&mut World) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut world = self.world();
        let injected = world.begin(call);
        let down = || DbError::Unreachable {
            host: HOST.to_owned(),
            port: 5432,
            source: "injected".into(),
        };
        if let Some(Injected::Before) = injected {
            return Err(down());
        }
        // A failure after the effect replaces whatever the call answered.
        let result = effect(&mut world);
        match injected {
            Some(_) => Err(down()),
            None => result,
        }
    }
}
