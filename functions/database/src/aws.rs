//! [`Cloud`] over the AWS SDK: the shared RDS, Lambda, secret, role and log-group capabilities,
//! each one SDK call per method. No decisions are taken here; they are the handler's, where the
//! unit tests reach them.

use crate::api::Cloud;
use aws_config::SdkConfig;
use iam_roles::Roles;
use lambda::Lambda;
use log_groups::LogGroups;
use rds::Rds;
use secrets::Secrets;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    rds: Rds,
    secrets: Secrets,
    roles: Roles,
    lambda: Lambda,
    log_groups: LogGroups,
}

impl AwsCloud {
    /// `role_boundary`: the permissions boundary of the roles this function creates
    /// (`ROLE_PERMISSIONS_BOUNDARY`, read once at start).
    pub fn new(config: &SdkConfig, role_boundary: Option<String>) -> Self {
        Self {
            rds: Rds::new(config),
            secrets: Secrets::new(config),
            roles: Roles::bounded(config, role_boundary),
            lambda: Lambda::new(config),
            log_groups: LogGroups::new(config),
        }
    }
}

impl Cloud for AwsCloud {
    env_core::capabilities! {
        Rds = Rds => rds(rds),
        Lambda = Lambda => lambda(lambda),
        Logs = LogGroups => logs(log_groups),
        Roles = Roles => roles(roles),
        Secrets = Secrets => secrets(secrets),
    }
}
