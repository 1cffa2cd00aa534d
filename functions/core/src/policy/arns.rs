//! ARNs in the account and region the backend is deployed to, as policies name them.

use crate::arn::ArnScope;

/// ARNs in the account and region the backend is deployed to.
#[derive(Debug, Clone, Copy)]
pub struct Arns<'a> {
    pub scope: &'a ArnScope,
}

impl<'a> Arns<'a> {
    pub fn new(scope: &'a ArnScope) -> Self {
        Self { scope }
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>`.
    pub fn regional(self, service: &str, resource: &str) -> String {
        self.scope.regional(service, resource)
    }

    /// `arn:aws:<service>::<account>:<resource>` (IAM, CloudWatch dashboards).
    pub fn global(self, service: &str, resource: &str) -> String {
        self.scope.global(service, resource)
    }

    /// One regional ARN per resource, for the same service.
    pub fn each(self, service: &str, resources: &[&str]) -> Vec<String> {
        resources
            .iter()
            .map(|resource| self.regional(service, resource))
            .collect()
    }

    pub fn role(self, name: &str) -> String {
        self.scope.role(name)
    }

    /// A service-linked role (IAM user guide, "Using service-linked roles": they live under
    /// `role/aws-service-role/<service principal>/`).
    pub fn service_linked_role(self, service: &str, role: &str) -> String {
        self.global("iam", &format!("role/aws-service-role/{service}/{role}"))
    }

    pub fn log_group(self, name: &str) -> String {
        self.regional("logs", &format!("log-group:{name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_in_the_backends_account_and_region() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let arns = Arns::new(&scope);
        assert_eq!(
            arns.each("ec2", &["vpc/*", "subnet/*"]),
            [
                "arn:aws:ec2:us-west-2:123456789012:vpc/*",
                "arn:aws:ec2:us-west-2:123456789012:subnet/*"
            ]
        );
        assert_eq!(
            arns.service_linked_role("rds.amazonaws.com", "AWSServiceRoleForRDS"),
            "arn:aws:iam::123456789012:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"
        );
        assert_eq!(arns.role("r"), "arn:aws:iam::123456789012:role/r");
        assert_eq!(
            arns.log_group("g"),
            "arn:aws:logs:us-west-2:123456789012:log-group:g"
        );
    }
}
