//! The request the load balancer hands the waker: the Application Load Balancer's Lambda event
//! (Elastic Load Balancing user guide, "Lambda functions as targets", "Receive events from the
//! load balancer": `requestContext.elb.targetGroupArn`, `httpMethod`, and `headers`, or
//! `multiValueHeaders` when the target group enables multi-value headers).

use env_core::execution_name::wake_target_group_suffix;
use env_core::spec::EnvironmentSuffix;
use serde_json::Value;

/// What the waker reads of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, … as the client sent it.
    pub method: String,
    /// The environment the request is for, or why none is.
    pub target: Result<EnvironmentSuffix, String>,
    /// The target group enables multi-value headers: the response must carry
    /// `multiValueHeaders` instead of `headers` (same guide, "Multi-value headers").
    pub multi_value: bool,
}

impl Request {
    pub fn read(event: &Value) -> Self {
        Self {
            method: event["httpMethod"].as_str().unwrap_or_default().to_owned(),
            target: target(&event["requestContext"]["elb"]["targetGroupArn"]),
            multi_value: event.get("multiValueHeaders").is_some(),
        }
    }

    /// A HEAD request: answered with the page's status and headers, without its body (RFC 9110,
    /// 9.3.2).
    pub fn is_head(&self) -> bool {
        self.method.eq_ignore_ascii_case("HEAD")
    }
}

/// The environment of the wake target group `arn` names:
/// `arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>` (Service
/// Authorization Reference, "Resource types defined by Elastic Load Balancing V2", targetgroup),
/// `<name>` being `tg-wake-<suffix>` (env_core naming, `NameKind::WakeTargetGroup`).
fn target(arn: &Value) -> Result<EnvironmentSuffix, String> {
    let Some(arn) = arn.as_str() else {
        return Err("the request names no target group (requestContext.elb.targetGroupArn): it did not come through a load balancer".to_owned());
    };
    let name = arn
        .split(':')
        .nth(5)
        .and_then(|resource| resource.strip_prefix("targetgroup/"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    wake_target_group_suffix(name).ok_or_else(|| {
        format!("the target group {arn:?} is no environment's wake target group (tg-wake-<environment suffix>)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(arn: Value, method: &str) -> Value {
        json!({
            "requestContext": {"elb": {"targetGroupArn": arn}},
            "httpMethod": method,
            "path": "/",
            "headers": {"host": "alb-pr-42.example"},
            "body": "",
            "isBase64Encoded": false
        })
    }

    const ARN: &str =
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-pr-42/49e9d65c45c6791a";

    #[test]
    fn the_environment_is_read_from_the_wake_target_groups_name() {
        let request = Request::read(&event(json!(ARN), "GET"));
        assert_eq!(request.target.as_ref().unwrap().as_str(), "pr-42");
        assert_eq!(request.method, "GET");
        assert!(!request.is_head());
        assert!(!request.multi_value);
        let head = Request::read(&event(json!(ARN), "head"));
        assert!(head.is_head());
    }

    #[test]
    fn multi_value_headers_are_noticed() {
        let mut multi = event(json!(ARN), "GET");
        multi["multiValueHeaders"] = json!({"host": ["alb"]});
        assert!(Request::read(&multi).multi_value);
    }

    #[test]
    fn any_other_target_group_or_none_names_no_environment_and_says_why() {
        let none = Request::read(&json!({}));
        assert_eq!(none.method, "");
        assert!(none.target.unwrap_err().contains("names no target group"));
        for arn in [
            ARN.replace("tg-wake-pr-42", "tg-blue-pr-42"),
            ARN.replace("tg-wake-pr-42", "tg-wake-PR_42"),
            "tg-wake-pr-42".to_owned(),
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/alb-pr-42/1"
                .to_owned(),
        ] {
            let why = Request::read(&event(json!(arn), "GET")).target.unwrap_err();
            assert!(
                why.contains("is no environment's wake target group"),
                "{why}"
            );
        }
    }
}
