//! An in-memory AWS for the handler's unit tests: the shared fakes of every capability the
//! function uses ([`FakeElastiCache`], [`FakeLambda`], [`FakeLogGroups`], [`FakeSecrets`]), which
//! keep what was created and answer the finders from it. Every call of all four lands in one
//! `SharedRecorder`, where a test makes a named operation fail with a given AWS error code, the
//! way AWS answers (throttling, `InvalidReplicationGroupState` …).

use crate::api::Cloud;
use elasticache::fake::FakeElastiCache;
use env_core::recorder::SharedRecorder;
use lambda::fake::FakeLambda;
use log_groups::fake::FakeLogGroups;
use secrets::fake::FakeSecrets;

#[derive(Debug)]
pub struct Fake {
    /// Every call of the function, in order, with the faults a test injects.
    pub recorder: SharedRecorder,
    /// The replication group and its subnet group.
    pub elasticache: FakeElastiCache,
    /// The environment's rotation function, once the database function made it.
    pub lambda: FakeLambda,
    pub logs: FakeLogGroups,
    pub secrets: FakeSecrets,
}

impl Default for Fake {
    /// One recorder for the calls of all four, so they land in one order.
    fn default() -> Self {
        let recorder = SharedRecorder::default();
        Self {
            elasticache: FakeElastiCache::new(recorder.clone()),
            lambda: FakeLambda::new(recorder.clone()),
            logs: FakeLogGroups::new(recorder.clone()),
            secrets: FakeSecrets::new(recorder.clone()),
            recorder,
        }
    }
}

impl Cloud for Fake {
    env_core::capabilities! {
        ElastiCache = FakeElastiCache => elasticache(elasticache),
        Lambda = FakeLambda => lambda(lambda),
        Logs = FakeLogGroups => logs(logs),
        Secrets = FakeSecrets => secrets(secrets),
    }
}
