//! The SDK's listeners and rules read into the plain types (the default rule left out), and the
//! listener actions, rule conditions and weighted forward written as the SDK's.

use super::*;

#[test]
fn a_listener_is_read_with_its_arn_and_port_and_one_without_is_incomplete() {
    let described = elb::Listener::builder()
        .listener_arn("arn:listener/1")
        .port(443)
        .build();
    assert_eq!(
        listener_of(&described).unwrap(),
        Listener {
            arn: "arn:listener/1".into(),
            port: 443,
        }
    );
    let without_port = elb::Listener::builder()
        .listener_arn("arn:listener/2")
        .build();
    let error = listener_of(&without_port).unwrap_err();
    assert!(error.to_string().contains("Listener.Port"), "{error}");
    let error = listener_of(&elb::Listener::builder().port(80).build()).unwrap_err();
    assert!(
        error.to_string().contains("Listener.ListenerArn"),
        "{error}"
    );
}

#[test]
fn the_default_rule_is_left_out_and_a_rule_without_arn_or_priority_is_incomplete() {
    let rule = |arn: &str, priority: &str| {
        elb::Rule::builder()
            .rule_arn(arn)
            .priority(priority)
            .build()
    };
    assert_eq!(
        listener_rule(&rule("arn:rule/2", "2")).unwrap(),
        Some(Rule {
            arn: "arn:rule/2".into(),
            priority: 2,
            condition: None,
            target_groups: Vec::new(),
        })
    );
    assert_eq!(listener_rule(&rule("arn:rule/d", "default")).unwrap(), None);
    let error = listener_rule(&elb::Rule::builder().priority("1").build()).unwrap_err();
    assert!(error.to_string().contains("Rule.RuleArn"), "{error}");
    let error = listener_rule(&elb::Rule::builder().rule_arn("arn").build()).unwrap_err();
    assert!(error.to_string().contains("Rule.Priority"), "{error}");
}

#[test]
fn forward_is_https_with_the_certificate_and_policy_to_the_target_group() {
    let forward = ListenerAction::Forward {
        certificate_arn: "arn:cert".into(),
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
        target_group_arn: "arn:tg-blue".into(),
    };
    let (protocol, written) = actions(&forward);
    assert_eq!(protocol, elb::ProtocolEnum::Https);
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].r#type(), Some(&elb::ActionTypeEnum::Forward));
    assert_eq!(written[0].target_group_arn(), Some("arn:tg-blue"));
    let (certificates, policy) = tls(&forward);
    let certificates = certificates.unwrap();
    assert_eq!(certificates[0].certificate_arn(), Some("arn:cert"));
    assert_eq!(
        policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
}

#[test]
fn redirect_is_plain_http_keeping_host_path_and_query_with_a_301() {
    let (protocol, written) = actions(&ListenerAction::RedirectToHttps);
    assert_eq!(protocol, elb::ProtocolEnum::Http);
    assert_eq!(written[0].r#type(), Some(&elb::ActionTypeEnum::Redirect));
    let redirect = written[0].redirect_config().unwrap();
    assert_eq!(redirect.protocol(), Some("HTTPS"));
    assert_eq!(redirect.port(), Some("443"));
    assert_eq!(redirect.host(), Some("#{host}"));
    assert_eq!(redirect.path(), Some("/#{path}"));
    assert_eq!(redirect.query(), Some("#{query}"));
    assert_eq!(
        redirect.status_code(),
        Some(&elb::RedirectActionStatusCodeEnum::Http301)
    );
    assert_eq!(tls(&ListenerAction::RedirectToHttps), (None, None));
}

#[test]
fn rule_conditions_and_the_weighted_forward_are_written_as_elbs() {
    let any = rule_condition(&RuleCondition::AnyPath);
    assert_eq!(any.field(), Some("path-pattern"));
    assert_eq!(any.path_pattern_config().unwrap().values(), ["/*"]);
    let header = rule_condition(&RuleCondition::Header {
        name: "X-Catalog-Deployment".into(),
        value: "test".into(),
    });
    assert_eq!(header.field(), Some("http-header"));
    let config = header.http_header_config().unwrap();
    assert_eq!(config.http_header_name(), Some("X-Catalog-Deployment"));
    assert_eq!(config.values(), ["test"]);

    let settings = RuleSettings {
        priority: 2,
        condition: RuleCondition::AnyPath,
        blue_target_group: "arn:tg-blue".into(),
        green_target_group: "arn:tg-green".into(),
    };
    let action = weighted_forward(&settings);
    assert_eq!(action.r#type(), Some(&elb::ActionTypeEnum::Forward));
    let weights: Vec<(Option<&str>, Option<i32>)> = action
        .forward_config()
        .unwrap()
        .target_groups()
        .iter()
        .map(|group| (group.target_group_arn(), group.weight()))
        .collect();
    assert_eq!(
        weights,
        [
            (Some("arn:tg-blue"), Some(1)),
            (Some("arn:tg-green"), Some(0))
        ]
    );
}

#[test]
fn a_rules_condition_is_read_when_it_is_one_the_callers_make() {
    let path = |values: &[&str]| {
        elb::RuleCondition::builder()
            .field("path-pattern")
            .path_pattern_config(
                elb::PathPatternConditionConfig::builder()
                    .set_values(Some(values.iter().map(|v| (*v).to_owned()).collect()))
                    .build(),
            )
            .build()
    };
    assert_eq!(condition_of(&[path(&["/*"])]), Some(RuleCondition::AnyPath));
    assert_eq!(condition_of(&[path(&["/api/*"])]), None);
    // The legacy Values, as some answers carry them.
    let legacy = elb::RuleCondition::builder()
        .field("path-pattern")
        .values("/*")
        .build();
    assert_eq!(condition_of(&[legacy]), Some(RuleCondition::AnyPath));
    let header = |values: &[&str]| {
        elb::RuleCondition::builder()
            .field("http-header")
            .http_header_config(
                elb::HttpHeaderConditionConfig::builder()
                    .http_header_name("X-Catalog-Deployment")
                    .set_values(Some(values.iter().map(|v| (*v).to_owned()).collect()))
                    .build(),
            )
            .build()
    };
    assert_eq!(
        condition_of(&[header(&["test"])]),
        Some(RuleCondition::Header {
            name: "X-Catalog-Deployment".into(),
            value: "test".into()
        })
    );
    assert_eq!(condition_of(&[header(&["a", "b"])]), None);
    let no_config = elb::RuleCondition::builder().field("http-header").build();
    assert_eq!(condition_of(&[no_config]), None);
    let host = elb::RuleCondition::builder().field("host-header").build();
    assert_eq!(condition_of(&[host]), None);
    assert_eq!(condition_of(&[elb::RuleCondition::builder().build()]), None);
    assert_eq!(condition_of(&[path(&["/*"]), header(&["test"])]), None);
    assert_eq!(condition_of(&[]), None);
}

#[test]
fn a_rules_target_groups_are_those_its_forward_actions_name_once_each() {
    let single = elb::Action::builder()
        .r#type(elb::ActionTypeEnum::Forward)
        .target_group_arn("arn:tg-wake")
        .build();
    let weighted = weighted_forward(&RuleSettings {
        priority: 2,
        condition: RuleCondition::AnyPath,
        blue_target_group: "arn:tg-blue".into(),
        green_target_group: "arn:tg-green".into(),
    });
    let (_, redirect) = actions(&ListenerAction::RedirectToHttps);
    let mut all = vec![single.clone(), weighted.clone()];
    all.extend(redirect);
    assert_eq!(
        forwarded_to(&all),
        ["arn:tg-wake", "arn:tg-blue", "arn:tg-green"]
    );
    assert_eq!(forwarded_to(&[weighted.clone(), weighted]).len(), 2);
    assert!(forwarded_to(&[]).is_empty());
    let read = listener_rule(
        &elb::Rule::builder()
            .rule_arn("arn:rule/1")
            .priority("1")
            .actions(single)
            .build(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(read.target_groups, ["arn:tg-wake"]);
    assert_eq!(read.condition, None);
}
