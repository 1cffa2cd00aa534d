//! An in-memory AWS for the handler's unit tests: each capability's own fake, all recording into
//! one `SharedRecorder`, where a test also makes a named operation fail with a given AWS error
//! code, the way AWS answers (throttling, access denied …). A test puts what a complete
//! environment holds into the fakes' worlds.

use crate::api::Cloud;
use cloud_map::fake::FakeCloudMap;
use cloudwatch::fake::FakeCloudWatch;
use ec2::fake::FakeEc2;
use ecs::fake::FakeEcs;
use elasticache::fake::FakeElastiCache;
use elb::fake::FakeElb;
use env_core::recorder::SharedRecorder;
use log_groups::fake::FakeLogGroups;
use rds::fake::FakeRds;
use secrets::fake::FakeSecrets;
use sns::fake::FakeSns;

#[derive(Debug)]
pub struct Fake {
    /// Every call of the function's AWS, and the faults to answer.
    pub recorder: SharedRecorder,
    pub ec2: FakeEc2,
    pub elb: FakeElb,
    pub ecs: FakeEcs,
    pub cloud_map: FakeCloudMap,
    pub rds: FakeRds,
    pub elasticache: FakeElastiCache,
    pub logs: FakeLogGroups,
    pub cloudwatch: FakeCloudWatch,
    pub sns: FakeSns,
    pub secrets: FakeSecrets,
}

impl Default for Fake {
    fn default() -> Self {
        let recorder = SharedRecorder::default();
        let secrets = FakeSecrets::new(recorder.clone());
        Self {
            ec2: FakeEc2::new(recorder.clone()),
            elb: FakeElb::new(recorder.clone()),
            ecs: FakeEcs::new(recorder.clone()),
            cloud_map: FakeCloudMap::new(recorder.clone()),
            rds: FakeRds::new(recorder.clone(), secrets.clone()),
            elasticache: FakeElastiCache::new(recorder.clone()),
            logs: FakeLogGroups::new(recorder.clone()),
            cloudwatch: FakeCloudWatch::new(recorder.clone()),
            sns: FakeSns::new(recorder.clone()),
            secrets,
            recorder,
        }
    }
}

pub const REGION: &str = "us-west-2";

impl Cloud for Fake {
    env_core::capabilities! {
        Ec2 = FakeEc2 => ec2(ec2),
        Elb = FakeElb => elb(elb),
        Ecs = FakeEcs => ecs(ecs),
        CloudMap = FakeCloudMap => cloud_map(cloud_map),
        Rds = FakeRds => rds(rds),
        ElastiCache = FakeElastiCache => elasticache(elasticache),
        Logs = FakeLogGroups => logs(logs),
        CloudWatch = FakeCloudWatch => cloudwatch(cloudwatch),
        Sns = FakeSns => sns(sns),
        Secrets = FakeSecrets => secrets(secrets),
    }

    fn region(&self) -> &str {
        REGION
    }
}
