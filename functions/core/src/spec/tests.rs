//! The spec's contract, field by field: every invalid spec names the field, the value and what is allowed.

use super::*;
use serde_json::{json, Value};

fn minimal() -> Value {
    json!({
        "environmentSuffix": "pr-42",
        "containerImage": "public.ecr.aws/acme/catalog-api:1.4.2",
        "selfSignedCertificate": true
    })
}

/// The minimal spec with `changes` applied; a `null` in `changes` removes the field.
fn with(changes: Value) -> Value {
    let mut spec = minimal();
    let object = spec.as_object_mut().unwrap();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            object.remove(key);
        } else {
            object.insert(key.clone(), value.clone());
        }
    }
    spec
}

fn problems(spec: Value) -> Vec<String> {
    EnvironmentSpec::from_value(&spec)
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect()
}

const SUFFIX_RULE: &str = "a string of lowercase letters, digits and single hyphens, starting and ending with a letter or digit";

#[test]
fn each_invalid_spec_names_field_value_and_what_is_allowed() {
    let cases: Vec<(&str, Value, String)> = vec![
        ("missing suffix", json!({"environmentSuffix": null}), format!("environmentSuffix = (missing): required: {SUFFIX_RULE}")),
        ("uppercase suffix", json!({"environmentSuffix": "PR-42"}), "environmentSuffix = \"PR-42\": may contain only lowercase letters, digits and hyphens".to_owned()),
        ("empty suffix", json!({"environmentSuffix": ""}), "environmentSuffix = \"\": must not be empty".to_owned()),
        ("suffix too long for target group names", json!({"environmentSuffix": "a".repeat(24)}), format!("environmentSuffix = \"{}\": is 24 characters; at most 23 fit every AWS name built from it", "a".repeat(24))),
        ("suffix with underscore", json!({"environmentSuffix": "pr_42"}), "environmentSuffix = \"pr_42\": may contain only lowercase letters, digits and hyphens".to_owned()),
        ("suffix ending in a hyphen", json!({"environmentSuffix": "pr-"}), "environmentSuffix = \"pr-\": must start and end with a letter or digit".to_owned()),
        ("suffix with two hyphens", json!({"environmentSuffix": "pr--42"}), "environmentSuffix = \"pr--42\": must not contain two hyphens in a row".to_owned()),
        ("suffix that is a number", json!({"environmentSuffix": 42}), format!("environmentSuffix = 42: {SUFFIX_RULE}")),
        ("wrong region", json!({"region": "us-east-1"}), "region = \"us-east-1\": \"us-west-2\" (the only region environments are built in)".to_owned()),
        ("bad CIDR", json!({"vpcCidr": "10.0.0.0/33"}), "vpcCidr = \"10.0.0.0/33\": the prefix length must be from /16 to /24".to_owned()),
        ("public CIDR", json!({"vpcCidr": "52.0.0.0/16"}), "vpcCidr = \"52.0.0.0/16\": must lie in a private range (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)".to_owned()),
        ("CIDR with host bits", json!({"vpcCidr": "10.0.0.1/16"}), "vpcCidr = \"10.0.0.1/16\": host bits are set; the network of this block is 10.0.0.0/16".to_owned()),
        ("unknown NAT strategy", json!({"natGateways": "none"}), "natGateways = \"none\": \"perAz\" (one NAT gateway per AZ) or \"single\" (one shared)".to_owned()),
        ("unknown field", json!({"replicas": 3}), format!("replicas = 3: unknown field; the spec's fields are {}", FIELDS.join(", "))),
        ("protection as a string", json!({"deletionProtection": "yes"}), "deletionProtection = \"yes\": true or false".to_owned()),
        ("zero ttl", json!({"ttlHours": 0}), "ttlHours = 0: a whole number of hours from 1 to 720 (30 days); leave it out for no expiry".to_owned()),
        ("negative pull request", json!({"pullRequest": -3}), "pullRequest = -3: a positive whole pull request number".to_owned()),
        ("missing image", json!({"containerImage": null}), format!("containerImage = (missing): required: {}", ContainerImage::ALLOWED)),
        ("image with spaces", json!({"containerImage": "acme/api latest"}), format!("containerImage = \"acme/api latest\": {}", ContainerImage::ALLOWED)),
        ("privileged port", json!({"containerPort": 80}), "containerPort = 80: a port number from 1024 to 65535 (the container runs as non-root)".to_owned()),
        ("relative health check path", json!({"healthCheckPath": "health"}), format!("healthCheckPath = \"health\": {}", HealthCheckPath::ALLOWED)),
        ("zero tasks", json!({"minTasks": 0}), "minTasks = 0: a whole number of tasks from 1 to 100".to_owned()),
        ("min above max tasks", json!({"minTasks": 5, "maxTasks": 4}), "maxTasks = 4: must be at least minTasks (5)".to_owned()),
        ("cpu target too high", json!({"cpuTargetPercent": 95}), "cpuTargetPercent = 95: a whole percentage from 10 to 90".to_owned()),
        ("not a Fargate cpu size", json!({"taskCpu": 300}), "taskCpu = 300: one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384".to_owned()),
        ("memory not valid for the cpu", json!({"taskCpu": 256, "taskMemory": 4096}), "taskMemory = 4096: with taskCpu 256 Fargate accepts 512 to 2048 MiB in steps of 512".to_owned()),
        ("deregistration delay too long", json!({"deregistrationDelaySeconds": 4000}), "deregistrationDelaySeconds = 4000: a whole number of seconds from 0 to 3600".to_owned()),
        ("ACUs not in half steps", json!({"dbMinCapacity": 0.75}), "dbMinCapacity = 0.75: a number of ACUs from 0 to 256 in steps of 0.5".to_owned()),
        ("ACUs above 256", json!({"dbMaxCapacity": 300}), "dbMaxCapacity = 300: a number of ACUs from 0 to 256 in steps of 0.5".to_owned()),
        ("min ACU above max", json!({"dbMinCapacity": 8, "dbMaxCapacity": 4}), "dbMaxCapacity = 4: must be at least dbMinCapacity (8)".to_owned()),
        ("max ACU below one", json!({"dbMinCapacity": 0, "dbMaxCapacity": 0.5}), "dbMaxCapacity = 0.5: must be at least 1 ACU".to_owned()),
        ("auto-pause too soon", json!({"dbMinCapacity": 0, "dbAutoPauseSeconds": 60}), "dbAutoPauseSeconds = 60: a whole number of seconds from 300 to 86400 (Aurora's auto-pause range)".to_owned()),
        ("auto-pause above a minimum of 0.5", json!({"dbAutoPauseSeconds": 600}), "dbAutoPauseSeconds = 600: only with dbMinCapacity 0 (Aurora pauses only at 0 ACUs; dbMinCapacity is 0.5)".to_owned()),
        ("asleep on standby", json!({"standby": true, "asleep": true}), "asleep = true: only without standby (a warm-pool environment waits awake to be claimed)".to_owned()),
        ("idle minutes too few", json!({"sleepAfterIdleMinutes": 5}), "sleepAfterIdleMinutes = 5: a whole number of minutes from 15 to 1440 (a day); leave it out to sleep only when told to".to_owned()),
        ("asleep not a boolean", json!({"asleep": "yes"}), "asleep = \"yes\": true or false".to_owned()),
        ("pool beyond the connection budget", json!({"maxTasks": 10, "dbPoolSize": 33, "dbMaxCapacity": 4}), "dbPoolSize = 33: maxTasks 10 × 2 × dbPoolSize 33 + 20 = 680 connections exceeds 658, 80 % of the 823 Aurora accepts at dbMaxCapacity 4; lower dbPoolSize to at most 31, lower maxTasks, or raise dbMaxCapacity".to_owned()),
        ("pool size out of range", json!({"dbPoolSize": 0}), "dbPoolSize = 0: a whole number of connections from 1 to 100".to_owned()),
        ("unknown deployment strategy", json!({"deploymentStrategy": "canary"}), "deploymentStrategy = \"canary\": \"rolling\" (tasks replaced in place) or \"blueGreen\" (ECS blue/green through the green target group)".to_owned()),
        ("unknown architecture", json!({"cpuArchitecture": "ARM64"}), "cpuArchitecture = \"ARM64\": \"x86_64\" or \"arm64\" (the image must be built for it)".to_owned()),
        ("zero shards", json!({"cacheShards": 0}), "cacheShards = 0: a whole number of shards from 1 to 500".to_owned()),
        ("no replicas", json!({"cacheReplicasPerShard": 0}), "cacheReplicasPerShard = 0: a whole number of replicas per shard from 1 to 5 (failover needs at least 1)".to_owned()),
        ("bad node type", json!({"cacheNodeType": "t4g.small"}), format!("cacheNodeType = \"t4g.small\": {}", CacheNodeType::ALLOWED)),
        ("unknown cache mode", json!({"cacheMode": "nodes"}), format!("cacheMode = \"nodes\": {}", CacheMode::ALLOWED)),
        ("no certificate source", json!({"selfSignedCertificate": null}), format!("certificate = (none): {}", CertificateMode::OPTIONS)),
        ("two certificate sources", json!({"certificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/abcd-12"}), format!("certificate = (several): {}", CertificateMode::OPTIONS)),
        ("domain without zone", json!({"selfSignedCertificate": null, "domainName": "api.example.com"}), "hostedZoneId = null: required with domainName \"api.example.com\": the hosted zone that receives the DNS validation records".to_owned()),
        ("zone without domain", json!({"selfSignedCertificate": null, "hostedZoneId": "Z123"}), "domainName = null: required with hostedZoneId \"Z123\": the name the certificate is for".to_owned()),
        ("certificate from another region", json!({"selfSignedCertificate": null, "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/ab"}), format!("certificateArn = \"arn:aws:acm:us-east-1:123456789012:certificate/ab\": {}", CertificateArn::ALLOWED)),
        ("bad domain", json!({"domainName": "no_dots"}), format!("domainName = \"no_dots\": {}", DomainName::ALLOWED)),
        ("bad zone id", json!({"hostedZoneId": "zone"}), format!("hostedZoneId = \"zone\": {}", HostedZoneId::ALLOWED)),
        ("alarm email without a domain", json!({"alarmEmail": "oncall"}), format!("alarmEmail = \"oncall\": {}", AlarmEmail::ALLOWED)),
        ("alarm email that is a list", json!({"alarmEmail": ["a@example.com"]}), format!("alarmEmail = [\"a@example.com\"]: {}", AlarmEmail::ALLOWED)),
        ("cpu alarm at 100 %", json!({"cpuAlarmPercent": 100}), "cpuAlarmPercent = 100: a whole percentage from 10 to 99".to_owned()),
        ("latency alarm at 5 ms", json!({"latencyP99AlarmMs": 5}), "latencyP99AlarmMs = 5: a whole number of milliseconds from 10 to 60000".to_owned()),
        ("latency alarm over a minute", json!({"latencyP99AlarmMs": 60001}), "latencyP99AlarmMs = 60001: a whole number of milliseconds from 10 to 60000".to_owned()),
        ("db connections alarm at 5 %", json!({"dbConnectionsAlarmPercent": 5}), "dbConnectionsAlarmPercent = 5: a whole percentage from 10 to 99".to_owned()),
        ("db ACU alarm as a fraction", json!({"dbAcuAlarmPercent": 0.9}), "dbAcuAlarmPercent = 0.9: a whole percentage from 10 to 99".to_owned()),
        ("cache memory alarm at 120 %", json!({"cacheMemoryAlarmPercent": 120}), "cacheMemoryAlarmPercent = 120: a whole percentage from 10 to 99".to_owned()),
        ("cache cpu alarm as text", json!({"cacheCpuAlarmPercent": "80"}), "cacheCpuAlarmPercent = \"80\": a whole percentage from 10 to 99".to_owned()),
    ];
    let mut checked = 0;
    for (case, changes, expected) in cases {
        assert_eq!(problems(with(changes)), vec![expected], "case: {case}");
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} invalid specs checked");
}

#[test]
fn every_problem_is_reported_at_once() {
    let spec =
        json!({"environmentSuffix": "PR", "region": "eu-west-1", "vpcCidr": "x", "bogus": true});
    let found = EnvironmentSpec::from_value(&spec).unwrap_err();
    let fields: Vec<&str> = found.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "bogus",
            "environmentSuffix",
            "region",
            "vpcCidr",
            "containerImage",
            "certificate"
        ]
    );
    assert!(
        found
            .to_string()
            .starts_with("the environment spec has 6 invalid fields: bogus = true: unknown field"),
        "{found}"
    );
}

#[test]
fn a_cross_field_rule_is_not_judged_on_a_default_standing_in_for_a_bad_field() {
    // minTasks is invalid; its default (2) must not make "maxTasks must be at least minTasks" appear.
    assert_eq!(
        problems(with(json!({"minTasks": 0, "maxTasks": 1}))),
        ["minTasks = 0: a whole number of tasks from 1 to 100"]
    );
}

#[test]
fn a_spec_that_is_not_an_object_is_rejected() {
    assert_eq!(
        problems(json!([1, 2])),
        ["spec = [1,2]: a JSON object with the spec's fields"]
    );
    let one = EnvironmentSpec::from_value(&json!("x")).unwrap_err();
    assert!(
        one.to_string()
            .starts_with("the environment spec has 1 invalid field: "),
        "{one}"
    );
}

#[test]
fn defaults_are_the_requests_numbers() {
    let spec = EnvironmentSpec::from_value(&minimal()).unwrap();
    let f = spec.fields();
    assert_eq!(f.region, Region::UsWest2);
    assert!(f.deletion_protection);
    assert!(!f.force_destroy);
    assert_eq!(f.nat_gateways, NatStrategy::PerAz);
    assert_eq!(f.vpc_cidr.to_string(), "10.0.0.0/16");
    assert_eq!((f.min_tasks.get(), f.max_tasks.get()), (2, 10));
    assert_eq!(f.cpu_target_percent.get(), 70);
    assert_eq!((f.task_cpu.get(), f.task_memory.get()), (512, 1024));
    assert_eq!(f.container_port.get(), 3000);
    assert_eq!(f.health_check_path.as_str(), "/health");
    assert_eq!(f.deregistration_delay_seconds.get(), 30);
    assert_eq!(
        (f.db_min_capacity.as_f64(), f.db_max_capacity.as_f64()),
        (0.5, 4.0)
    );
    assert_eq!(
        (f.cache_shards.get(), f.cache_replicas_per_shard.get()),
        (2, 1)
    );
    assert_eq!(f.cache_node_type.as_str(), "cache.t4g.small");
    assert_eq!(f.cache_mode, CacheMode::Cluster);
    assert_eq!(f.alarm_email, None);
    assert_eq!(f.cpu_alarm_percent.get(), 80);
    assert_eq!(f.latency_p99_alarm_ms.get(), 1000);
    assert_eq!(f.db_connections_alarm_percent.get(), 80);
    assert_eq!(f.db_acu_alarm_percent.get(), 90);
    assert_eq!(f.cache_memory_alarm_percent.get(), 80);
    assert_eq!(f.cache_cpu_alarm_percent.get(), 80);
    assert_eq!(spec.certificate(), &CertificateMode::SelfSigned);
    assert!(spec.protection_blocks_deletion());
}

#[test]
fn force_destroy_lifts_protection_for_teardown() {
    let spec = EnvironmentSpec::from_value(&with(json!({"forceDestroy": true}))).unwrap();
    assert!(spec.fields().deletion_protection);
    assert!(!spec.protection_blocks_deletion());
}

fn full() -> Value {
    json!({
        "environmentSuffix": "pr-1234",
        "region": "us-west-2",
        "deletionProtection": false,
        "forceDestroy": true,
        "natGateways": "single",
        "vpcCidr": "172.20.0.0/20",
        "ttlHours": 72,
        "pullRequest": 1234,
        "standby": true,
        "sleepAfterIdleMinutes": 60,
        "containerImage": "123456789012.dkr.ecr.us-west-2.amazonaws.com/catalog-api:sha-abc",
        "containerPort": 8080,
        "healthCheckPath": "/healthz",
        "minTasks": 2,
        "maxTasks": 10,
        "cpuTargetPercent": 70,
        "taskCpu": 1024,
        "taskMemory": 2048,
        "cpuArchitecture": "arm64",
        "deploymentStrategy": "blueGreen",
        "deregistrationDelaySeconds": 15,
        "dbMinCapacity": 0,
        "dbMaxCapacity": 8,
        "dbAutoPauseSeconds": 3600,
        "dbPoolSize": 20,
        "cacheShards": 2,
        "cacheReplicasPerShard": 1,
        "cacheNodeType": "cache.r7g.large",
        "cacheMode": "serverless",
        "domainName": "pr-1234.catalog.example.com",
        "hostedZoneId": "Z0123456789ABCDEFGHIJ",
        "alarmEmail": "oncall@example.com",
        "cpuAlarmPercent": 85,
        "latencyP99AlarmMs": 800,
        "dbConnectionsAlarmPercent": 75,
        "dbAcuAlarmPercent": 95,
        "cacheMemoryAlarmPercent": 70,
        "cacheCpuAlarmPercent": 90
    })
}

#[test]
fn a_valid_spec_round_trips_through_json_unchanged() {
    let original = full();
    let spec = EnvironmentSpec::from_value(&original).unwrap();
    assert_eq!(serde_json::to_value(&spec).unwrap(), original);
    let again: EnvironmentSpec = serde_json::from_value(original.clone()).unwrap();
    assert_eq!(again, spec);
    assert!(matches!(
        spec.certificate(),
        CertificateMode::DnsValidated { .. }
    ));
    let existing = EnvironmentSpec::from_value(&with(json!({"selfSignedCertificate": null, "certificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/ab-12"}))).unwrap();
    assert!(matches!(
        existing.certificate(),
        CertificateMode::Existing(_)
    ));
}

#[test]
fn the_field_list_matches_what_a_spec_writes() {
    let mut spec = full();
    spec.as_object_mut()
        .unwrap()
        .insert("selfSignedCertificate".into(), json!(true));
    // A standby environment cannot be asleep, but each field on its own is fine.
    spec.as_object_mut()
        .unwrap()
        .insert("asleep".into(), json!(true));
    spec.as_object_mut().unwrap().insert(
        "certificateArn".into(),
        json!("arn:aws:acm:us-west-2:123456789012:certificate/ab"),
    );
    // Three certificate sources is invalid as a spec, but each field on its own is fine.
    let fields: SpecFields = serde_json::from_value(spec).unwrap();
    let written = serde_json::to_value(&fields).unwrap();
    let mut keys: Vec<&str> = written
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = FIELDS.to_vec();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn deserialising_runs_the_same_cross_field_checks() {
    let error =
        serde_json::from_value::<EnvironmentSpec>(with(json!({"minTasks": 9, "maxTasks": 3})))
            .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("maxTasks = 3: must be at least minTasks (9)"),
        "{error}"
    );
    let unknown =
        serde_json::from_value::<EnvironmentSpec>(with(json!({"surprise": 1}))).unwrap_err();
    assert!(
        unknown.to_string().starts_with("unknown field `surprise`"),
        "{unknown}"
    );
}
