//! An in-memory AWS for the handler's unit tests: the shared fakes of every capability the
//! function uses ([`FakeRds`], [`FakeLambda`], [`FakeLogGroups`], [`FakeRoles`],
//! [`FakeSecrets`]), which keep what was created and answer the finders from it. Every call of all
//! five lands in one `SharedRecorder`, where a test also makes a named operation fail with a given
//! AWS error code, the way AWS answers (throttling, already-exists, invalid state …).

use crate::api::Cloud;
use env_core::recorder::SharedRecorder;
use iam_roles::fake::FakeRoles;
use lambda::fake::FakeLambda;
use log_groups::fake::FakeLogGroups;
use rds::fake::FakeRds;
use secrets::fake::FakeSecrets;

pub use env_core::error::aws_failure;
pub use rds::fake::engine_version;

#[derive(Debug)]
pub struct FakeCloud {
    /// Every call of the five fakes, in order, with the faults tests inject.
    pub recorder: SharedRecorder,
    /// The cluster, its instances and groups; the master secret it makes goes to `secrets`.
    pub rds: FakeRds,
    /// The rotation function and its invoke permission.
    pub lambda: FakeLambda,
    pub logs: FakeLogGroups,
    pub roles: FakeRoles,
    /// The environment's secrets and the master secret RDS makes with the cluster.
    pub secrets: FakeSecrets,
}

impl Default for FakeCloud {
    /// All five record into one recorder.
    fn default() -> Self {
        let recorder = SharedRecorder::default();
        let secrets = FakeSecrets::new(recorder.clone());
        Self {
            rds: FakeRds::new(recorder.clone(), secrets.clone()),
            lambda: FakeLambda::new(recorder.clone()),
            logs: FakeLogGroups::new(recorder.clone()),
            roles: FakeRoles::new(recorder.clone()),
            secrets,
            recorder,
        }
    }
}

impl FakeCloud {
    /// Puts every cluster and instance into `status`, as time passing in AWS would.
    pub fn set_all(&self, status: &str) {
        self.rds.world().set_all(status);
    }

    /// Everything the fake holds (RDS, Lambda, the log groups, the roles, the secrets) and every
    /// change recorded, as text: the same before and after a call that wrote nothing.
    pub fn snapshot(&self) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            *self.rds.world(),
            *self.lambda.world(),
            *self.logs.groups(),
            *self.roles.roles(),
            *self.secrets.store(),
            self.recorder.lock().changes
        )
    }
}

impl Cloud for FakeCloud {
    env_core::capabilities! {
        Rds = FakeRds => rds(rds),
        Lambda = FakeLambda => lambda(lambda),
        Logs = FakeLogGroups => logs(logs),
        Roles = FakeRoles => roles(roles),
        Secrets = FakeSecrets => secrets(secrets),
    }
}
