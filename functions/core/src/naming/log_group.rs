//! The log groups AWS names after one of the environment's resources, which the environment
//! creates first so they get its retention and key.

use super::kind::NameKind;

/// A log group whose name AWS derives from one of the environment's resources and would create
/// on its own, with no retention and no key, if the environment did not create it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsLogGroup {
    /// The Aurora cluster's `postgresql` log export (Aurora user guide, "Publishing Aurora
    /// PostgreSQL logs to Amazon CloudWatch Logs": `/aws/rds/cluster/<cluster>/postgresql`).
    AuroraPostgresql,
    /// Container Insights' performance events of the ECS cluster (CloudWatch user guide,
    /// "Container Insights performance log events for Amazon ECS":
    /// `/aws/ecs/containerinsights/<cluster>/performance`).
    ContainerInsights,
    /// The rotation function's own logs (Lambda developer guide, "Sending Lambda function logs to
    /// CloudWatch Logs": `/aws/lambda/<function>`).
    RotationFunction,
}

impl AwsLogGroup {
    pub const ALL: [AwsLogGroup; 3] = [
        AwsLogGroup::AuroraPostgresql,
        AwsLogGroup::ContainerInsights,
        AwsLogGroup::RotationFunction,
    ];

    /// The resource the name is derived from.
    pub fn resource(self) -> NameKind {
        match self {
            AwsLogGroup::AuroraPostgresql => NameKind::AuroraCluster,
            AwsLogGroup::ContainerInsights => NameKind::EcsCluster,
            AwsLogGroup::RotationFunction => NameKind::RotationFunction,
        }
    }

    pub(super) fn around(self, resource: &str) -> String {
        match self {
            AwsLogGroup::AuroraPostgresql => format!("/aws/rds/cluster/{resource}/postgresql"),
            AwsLogGroup::ContainerInsights => {
                format!("/aws/ecs/containerinsights/{resource}/performance")
            }
            AwsLogGroup::RotationFunction => format!("/aws/lambda/{resource}"),
        }
    }

    /// Every environment's group of this kind, as an IAM wildcard.
    pub fn wildcard(self) -> String {
        self.around(&self.resource().wildcard())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::suffix;
    use super::super::Names;
    use super::*;

    #[test]
    fn the_log_groups_aws_would_make_are_named_as_aws_names_them() {
        let suffix = suffix("pr-42");
        let names = Names::new(&suffix);
        let groups = AwsLogGroup::ALL.map(|group| (names.aws_log_group(group), group.wildcard()));
        assert_eq!(
            groups,
            [
                (
                    "/aws/rds/cluster/aurora-pr-42/postgresql".to_owned(),
                    "/aws/rds/cluster/aurora-*/postgresql".to_owned()
                ),
                (
                    "/aws/ecs/containerinsights/ecs-cluster-pr-42/performance".to_owned(),
                    "/aws/ecs/containerinsights/ecs-cluster-*/performance".to_owned()
                ),
                (
                    "/aws/lambda/rotation-pr-42".to_owned(),
                    "/aws/lambda/rotation-*".to_owned()
                ),
            ]
        );
    }
}
