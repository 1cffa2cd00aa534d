//! The statements of a function's resource-based policy the backend writes: read (GetPolicy),
//! added (AddPermission) and removed (RemovePermission).

use crate::api::{Permission, Result};
use anyhow::Context;
use env_core::error::{aws_error, found};
use serde_json::Value;

/// The only action the backend grants on a function: invoking it.
const INVOKE: &str = "lambda:InvokeFunction";

#[derive(Debug, Clone)]
pub(super) struct Permissions {
    lambda: aws_sdk_lambda::Client,
}

impl Permissions {
    pub(super) fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            lambda: aws_sdk_lambda::Client::new(config),
        }
    }

    pub(super) async fn get(
        &self,
        function: &str,
        statement_id: &str,
    ) -> Result<Option<Permission>> {
        let got = self
            .lambda
            .get_policy()
            .function_name(function)
            .send()
            .await;
        // A function with no resource-based policy answers ResourceNotFoundException (Lambda API
        // reference, GetPolicy), as a missing function does: either way, no statement.
        let got = got.map_err(aws_error("GetPolicy"));
        let got = found(got, &["ResourceNotFoundException"])?;
        let Some(policy) = got.as_ref().and_then(|got| got.policy()) else {
            return Ok(None);
        };
        statement_of(policy, statement_id)
    }

    pub(super) async fn add(&self, function: &str, permission: &Permission) -> Result<()> {
        self.lambda
            .add_permission()
            .function_name(function)
            .statement_id(&permission.statement_id)
            .action(INVOKE)
            .principal(&permission.principal)
            .source_account(&permission.source_account)
            .source_arn(&permission.source_arn)
            .send()
            .await
            .map_err(aws_error("AddPermission"))?;
        Ok(())
    }

    pub(super) async fn remove(&self, function: &str, statement_id: &str) -> Result<()> {
        self.lambda
            .remove_permission()
            .function_name(function)
            .statement_id(statement_id)
            .send()
            .await
            .map_err(aws_error("RemovePermission"))?;
        Ok(())
    }
}

/// The statement `statement_id` of a policy document as GetPolicy answers it, read back as the
/// [`Permission`] AddPermission wrote: the service principal, and the `aws:SourceAccount`
/// (`StringEquals`) and `aws:SourceArn` (`ArnLike`) conditions Lambda makes of `SourceAccount`
/// and `SourceArn`. Condition keys are case-insensitive (IAM user guide, "IAM JSON policy
/// elements: Condition"): Lambda writes them `AWS:SourceArn`. A statement that grants anything
/// else than invoking reads as a different permission (empty fields), so deploy rewrites it.
pub fn statement_of(policy: &str, statement_id: &str) -> Result<Option<Permission>> {
    let document: Value =
        serde_json::from_str(policy).context("GetPolicy answered a policy that is not JSON")?;
    let statements = document["Statement"].as_array().into_iter().flatten();
    let Some(statement) = statements
        .into_iter()
        .find(|statement| statement["Sid"] == statement_id)
    else {
        return Ok(None);
    };
    let invokes = statement["Effect"] == "Allow" && action_is_invoke(&statement["Action"]);
    let text = |value: &Value| value.as_str().filter(|_| invokes).unwrap_or("").to_owned();
    Ok(Some(Permission {
        statement_id: statement_id.to_owned(),
        principal: text(&statement["Principal"]["Service"]),
        source_account: text(condition(statement, "StringEquals", "aws:SourceAccount")),
        source_arn: text(condition(statement, "ArnLike", "aws:SourceArn")),
    }))
}

/// `Action` as one string or a list of exactly that one.
fn action_is_invoke(action: &Value) -> bool {
    match action {
        Value::Array(actions) => actions.len() == 1 && actions[0] == INVOKE,
        action => action == INVOKE,
    }
}

/// `Condition.<operator>.<key>`, the key matched without regard to case.
fn condition<'a>(statement: &'a Value, operator: &str, key: &str) -> &'a Value {
    let keys = statement["Condition"][operator]
        .as_object()
        .into_iter()
        .flatten();
    keys.into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map_or(&Value::Null, |(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(statement: Value) -> String {
        json!({"Version": "2012-10-17", "Id": "default", "Statement": [
            {"Sid": "other", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": INVOKE},
            statement,
        ]})
        .to_string()
    }

    fn written() -> Permission {
        Permission {
            statement_id: "lb".into(),
            principal: "elasticloadbalancing.amazonaws.com".into(),
            source_account: "123456789012".into(),
            source_arn:
                "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-*/*".into(),
        }
    }

    #[test]
    fn the_statement_lambda_wrote_reads_back_as_the_permission_added() {
        // As Lambda answers GetPolicy: conditions keyed `AWS:…`.
        let answered = policy(json!({
            "Sid": "lb", "Effect": "Allow",
            "Principal": {"Service": "elasticloadbalancing.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:us-west-2:123456789012:function:waker",
            "Condition": {
                "StringEquals": {"AWS:SourceAccount": "123456789012"},
                "ArnLike": {"AWS:SourceArn": "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-*/*"}
            }
        }));
        assert_eq!(statement_of(&answered, "lb").unwrap(), Some(written()));
        assert_eq!(statement_of(&answered, "absent").unwrap(), None);
        let listed = answered.replace(
            r#""Action":"lambda:InvokeFunction""#,
            r#""Action":["lambda:InvokeFunction"]"#,
        );
        assert_eq!(statement_of(&listed, "lb").unwrap(), Some(written()));
    }

    #[test]
    fn a_statement_granting_more_or_less_reads_as_another_permission() {
        let broader = policy(json!({
            "Sid": "lb", "Effect": "Allow",
            "Principal": {"Service": "elasticloadbalancing.amazonaws.com"},
            "Action": ["lambda:InvokeFunction", "lambda:GetFunction"],
        }));
        let read = statement_of(&broader, "lb").unwrap().unwrap();
        assert_ne!(read, written());
        assert_eq!(read.principal, "");
        let unconfined = policy(json!({
            "Sid": "lb", "Effect": "Allow",
            "Principal": {"Service": "elasticloadbalancing.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
        }));
        let read = statement_of(&unconfined, "lb").unwrap().unwrap();
        assert_eq!(
            (read.principal.as_str(), read.source_arn.as_str()),
            ("elasticloadbalancing.amazonaws.com", "")
        );
        assert_eq!(
            statement_of("{", "lb").unwrap_err().to_string(),
            "GetPolicy answered a policy that is not JSON"
        );
    }
}
