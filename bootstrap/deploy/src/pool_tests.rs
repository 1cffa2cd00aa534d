use super::*;
use serde_json::json;

/// `spec` written to a file of its own; the file's path.
fn spec_file(name: &str, spec: &Value) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("envctl-pool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, spec.to_string()).unwrap();
    file
}

fn pool_spec_of(name: &str, spec: &Value) -> anyhow::Result<PoolSettings> {
    PoolSettings::from_args(Some(2), Some(&spec_file(name, spec)))
}

fn valid() -> Value {
    json!({
        "environmentSuffix": "pr-42",
        "ttlHours": 168,
        "forceDestroy": true,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:sha-1f2e3d",
        "selfSignedCertificate": true
    })
}

#[test]
fn a_pool_sets_its_size_and_the_spec_without_a_suffix_and_on_standby() {
    let pool = pool_spec_of("valid", &valid()).unwrap();
    let mut environment = BTreeMap::new();
    pool.add_to(&mut environment);
    assert_eq!(environment[POOL_SIZE_VAR], "2");
    let spec: Value = serde_json::from_str(&environment[POOL_SPEC_VAR]).unwrap();
    let mut expected = valid();
    expected
        .as_object_mut()
        .unwrap()
        .remove("environmentSuffix");
    expected["standby"] = json!(true);
    assert_eq!(spec, expected);
    assert_eq!(environment.len(), 2);
}

#[test]
fn no_size_or_size_0_is_no_pool_and_sets_nothing() {
    for pool in [
        PoolSettings::off(),
        PoolSettings::from_args(None, None).unwrap(),
        PoolSettings::from_args(Some(0), None).unwrap(),
        // A spec with no pool describes nothing; it is still checked.
        PoolSettings::from_args(Some(0), Some(&spec_file("zero", &valid()))).unwrap(),
    ] {
        let mut environment = BTreeMap::new();
        pool.add_to(&mut environment);
        assert!(environment.is_empty(), "{pool:?}");
        assert_eq!(pool, PoolSettings::off());
    }
    let bad = PoolSettings::from_args(Some(0), Some(&spec_file("zero-bad", &json!([]))));
    assert!(bad.is_err());
}

#[test]
fn a_size_out_of_range_or_without_a_spec_is_refused_naming_the_flag() {
    let error = PoolSettings::from_args(Some(21), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "--pool-size 21: at most 20 standby environments (0 turns the pool off)"
    );
    let error = PoolSettings::from_args(Some(3), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "--pool-size 3: a pool needs --pool-spec FILE, the spec its environments are provisioned with"
    );
    assert_eq!(
        PoolSettings::from_args(Some(MAX_POOL_SIZE), Some(&spec_file("max", &valid())))
            .unwrap()
            .size,
        20
    );
}

#[test]
fn a_spec_a_pool_cannot_use_is_refused_naming_the_field_the_value_and_what_is_allowed() {
    let refused = |name: &str, spec: Value| -> String {
        let file = spec_file(name, &spec);
        let message = pool_spec_of(name, &spec).unwrap_err().to_string();
        let prefix = format!("--pool-spec {}: ", file.display());
        message
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{message} starts with {prefix}"))
            .to_owned()
    };
    assert_eq!(
        refused("array", json!([1])),
        "[1] is not a spec: a JSON object with the spec's fields is needed"
    );
    let mut claimed = valid();
    claimed["pullRequest"] = json!(7);
    assert_eq!(
        refused("pr", claimed),
        "pullRequest = 7: a pool environment belongs to no pull request until one claims it; leave the field out"
    );
    let mut invalid = valid();
    invalid["minTasks"] = json!(0);
    let message = refused("invalid", invalid);
    assert!(
        message.starts_with("the environment spec has 1 invalid field: minTasks = 0: "),
        "{message}"
    );
    let mut no_ttl = valid();
    no_ttl.as_object_mut().unwrap().remove("ttlHours");
    assert_eq!(
        refused("ttl", no_ttl),
        "ttlHours = (missing): required for a pool (1-720), the age at which the cleanup retires an environment nobody claimed"
    );
    let mut protected = valid();
    protected.as_object_mut().unwrap().remove("forceDestroy");
    assert_eq!(
        refused("protected", protected),
        "forceDestroy = false with deletionProtection = true: the cleanup must remove a retired pool environment without manual steps; set forceDestroy to true"
    );
    // Unprotected is as good as forced.
    let mut unprotected = valid();
    unprotected["forceDestroy"] = json!(false);
    unprotected["deletionProtection"] = json!(false);
    assert!(pool_spec_of("unprotected", &unprotected).is_ok());
}

#[test]
fn a_missing_or_unreadable_spec_file_is_an_error_naming_it() {
    let missing = std::env::temp_dir().join("envctl-pool-no-such-file.json");
    let error = PoolSettings::from_args(Some(1), Some(&missing)).unwrap_err();
    assert!(
        error.to_string().starts_with("reading the spec file"),
        "{error}"
    );
}

#[test]
fn an_environment_over_4_kb_is_refused_naming_the_pool_spec() {
    let mut environment = BTreeMap::new();
    environment.insert("A".to_owned(), "x".repeat(4096 - 8));
    // {"A":"…"}: 8 characters around the value.
    assert!(check_environment_size("cleanup", &environment).is_ok());
    environment.insert(POOL_SPEC_VAR.to_owned(), "y".repeat(100));
    let error = check_environment_size("cleanup", &environment).unwrap_err();
    assert_eq!(
        error.to_string(),
        "--pool-spec: the cleanup function's environment would be 4211 bytes, 100 of them the pool spec; Lambda allows 4096 bytes in all (Lambda quotas): leave out the fields whose defaults you want"
    );
    environment.remove(POOL_SPEC_VAR);
    environment.insert("B".to_owned(), String::new());
    let error = check_environment_size("cleanup", &environment).unwrap_err();
    assert!(
        error.to_string().contains(", 0 of them the pool spec"),
        "{error}"
    );
}
