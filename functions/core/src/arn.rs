//! The fields of an ARN, `arn:partition:service:region:account:resource` (IAM user guide, "IAM
//! identifiers"), read once here rather than split by hand in every function.

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
