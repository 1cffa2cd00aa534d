//! ARNs, `arn:partition:service:region:account:resource` (IAM user guide, "IAM identifiers"):
//! built in one place ([`ArnScope`], [`unscoped`]) and their fields read in one place, rather than
//! formatted and split by hand in every function.

/// The partition of every region environments are built in: the spec offers commercial regions
/// only (China and GovCloud regions have partitions of their own, `aws-cn` and `aws-us-gov`).
pub const PARTITION: &str = "aws";

/// The account and region an ARN belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnScope {
    pub region: String,
    pub account: String,
}

impl ArnScope {
    pub fn new(region: impl Into<String>, account: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            account: account.into(),
        }
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>`.
    pub fn regional(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{PARTITION}:{service}:{}:{}:{resource}",
            self.region, self.account
        )
    }

    /// `arn:aws:<service>::<account>:<resource>`: a global service's (IAM, CloudWatch dashboards).
    pub fn global(&self, service: &str, resource: &str) -> String {
        format!("arn:{PARTITION}:{service}::{}:{resource}", self.account)
    }

    pub fn function(&self, name: &str) -> String {
        self.regional("lambda", &format!("function:{name}"))
    }

    pub fn state_machine(&self, name: &str) -> String {
        self.regional("states", &format!("stateMachine:{name}"))
    }

    pub fn role(&self, name: &str) -> String {
        self.global("iam", &format!("role/{name}"))
    }

    /// The account itself as a principal: whoever the account's IAM policies allow.
    pub fn account_root(&self) -> String {
        self.global("iam", "root")
    }
}

/// `arn:aws:<service>:::<resource>`: names unique across accounts and regions (S3 buckets and
/// their objects, Route 53 hosted zones).
pub fn unscoped(service: &str, resource: &str) -> String {
    format!("arn:{PARTITION}:{service}:::{resource}")
}

/// The account id: the fifth field (`""` when `arn` is not an ARN).
pub fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// The region: the fourth field (`""` for a global service such as IAM, or when `arn` is not an ARN).
pub fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_arn_is_built_in_the_aws_partition() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        assert_eq!(
            scope.function("network"),
            "arn:aws:lambda:us-west-2:123456789012:function:network"
        );
        assert_eq!(
            scope.state_machine("provision"),
            "arn:aws:states:us-west-2:123456789012:stateMachine:provision"
        );
        assert_eq!(scope.role("r"), "arn:aws:iam::123456789012:role/r");
        assert_eq!(scope.account_root(), "arn:aws:iam::123456789012:root");
        assert_eq!(
            scope.regional("logs", "log-group:g:*"),
            "arn:aws:logs:us-west-2:123456789012:log-group:g:*"
        );
        assert_eq!(unscoped("s3", "bucket/key"), "arn:aws:s3:::bucket/key");
        let arn = scope.regional("kms", "key/k");
        assert_eq!(
            (region_of(&arn), account_of(&arn)),
            ("us-west-2", "123456789012")
        );
    }

    #[test]
    fn the_region_and_the_account_are_the_fourth_and_fifth_fields() {
        let arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:x-AbCdEf";
        assert_eq!(
            (region_of(arn), account_of(arn)),
            ("us-west-2", "123456789012")
        );
        let role = "arn:aws:iam::123456789012:role/x";
        assert_eq!((region_of(role), account_of(role)), ("", "123456789012"));
        assert_eq!(
            (region_of("not-an-arn"), account_of("not-an-arn")),
            ("", "")
        );
    }
}
