//! `deploy --pool-size N --pool-spec FILE`: the warm pool's settings, which the cleanup function
//! reads (docs/warm-pool-design.md section 3.4). Checked whole before any AWS call.
//!
//! A deploy sets what it is given, like every other setting of the backend: a deploy without
//! `--pool-size` (or with 0) turns the pool off, and the cleanup then refills nothing.

use anyhow::bail;
use env_core::spec::EnvironmentSpec;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// How many standby environments the cleanup keeps; absent means no pool.
pub const POOL_SIZE_VAR: &str = "POOL_SIZE";
/// The spec every pool environment is provisioned with, JSON without `environmentSuffix`.
pub const POOL_SPEC_VAR: &str = "POOL_SPEC";
/// The machines the cleanup starts: provision to refill, claim to retire under the claim's lock.
pub const PROVISION_VAR: &str = "PROVISION_STATE_MACHINE_ARN";
pub const CLAIM_VAR: &str = "CLAIM_STATE_MACHINE_ARN";

/// Lambda allows "4 KB, for all environment variables associated with the function, in
/// aggregate" (Lambda developer guide, "Lambda quotas",
/// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Counted here as the
/// variables' JSON object, names, quotes and separators included: never less than what Lambda
/// counts, so a set that passes here is not refused there.
pub const ENVIRONMENT_LIMIT_BYTES: usize = 4096;

/// A pool larger than this is a typo rather than a plan: each environment holds a VPC, and a
/// Region allows 5 VPCs unless raised (Amazon VPC user guide, "Amazon VPC quotas").
pub const MAX_POOL_SIZE: u32 = 20;

/// The warm pool as deployed: its size and the pool spec (compact JSON), both absent when off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolSettings {
    size: u32,
    spec: Option<String>,
}

impl PoolSettings {
    /// No pool: what a deploy without `--pool-size` sets.
    pub fn off() -> Self {
        Self::default()
    }

    /// `--pool-size` and `--pool-spec`: a size from 0 to [`MAX_POOL_SIZE`], and with any size
    /// above 0 a spec file every pool environment can be provisioned with.
    pub fn from_args(size: Option<u32>, spec_file: Option<&Path>) -> anyhow::Result<Self> {
        let spec = match spec_file {
            Some(file) => Some(pool_spec(
                file,
                &envctl_common::spec_file::read_spec(file, std::io::stdin())?,
            )?),
            None => None,
        };
        Self::new(size.unwrap_or(0), spec)
    }

    fn new(size: u32, spec: Option<String>) -> anyhow::Result<Self> {
        if size > MAX_POOL_SIZE {
            bail!("--pool-size {size}: at most {MAX_POOL_SIZE} standby environments (0 turns the pool off)");
        }
        if size > 0 && spec.is_none() {
            bail!("--pool-size {size}: a pool needs --pool-spec FILE, the spec its environments are provisioned with");
        }
        // With no pool there is nothing for a spec to describe.
        let spec = spec.filter(|_| size > 0);
        Ok(Self { size, spec })
    }

    /// The cleanup's pool variables; none when the pool is off.
    pub(crate) fn add_to(&self, environment: &mut BTreeMap<String, String>) {
        if let Some(spec) = &self.spec {
            environment.insert(POOL_SIZE_VAR.to_owned(), self.size.to_string());
            environment.insert(POOL_SPEC_VAR.to_owned(), spec.clone());
        }
    }
}

/// The pool spec from `file`'s JSON `value`, as the cleanup gets it: each pool environment gets a
/// suffix of its own, so `environmentSuffix` is dropped, and `standby` is set (its service runs no
/// task until claimed).
fn pool_spec(file: &Path, value: &Value) -> anyhow::Result<String> {
    let name = file.display();
    let Some(object) = value.as_object() else {
        bail!("--pool-spec {name}: {value} is not a spec: a JSON object with the spec's fields is needed");
    };
    let mut spec = object.clone();
    spec.remove("environmentSuffix");
    if let Some(pull_request) = spec.get("pullRequest") {
        bail!("--pool-spec {name}: pullRequest = {pull_request}: a pool environment belongs to no pull request until one claims it; leave the field out");
    }
    spec.insert("standby".to_owned(), Value::Bool(true));
    let mut checked = spec.clone();
    let stand_in = env_core::pool::pool_suffix(0, 0);
    checked.insert("environmentSuffix".to_owned(), stand_in.as_str().into());
    let parsed = EnvironmentSpec::from_value(&Value::Object(checked))
        .map_err(|invalid| anyhow::anyhow!("--pool-spec {name}: {invalid}"))?;
    if parsed.fields().ttl_hours.is_none() {
        bail!("--pool-spec {name}: ttlHours = (missing): required for a pool (1-720), the age at which the cleanup retires an environment nobody claimed");
    }
    if parsed.protection_blocks_deletion() {
        bail!("--pool-spec {name}: forceDestroy = false with deletionProtection = true: the cleanup must remove a retired pool environment without manual steps; set forceDestroy to true");
    }
    Ok(Value::Object(spec).to_string())
}

/// Refuses a function environment Lambda would refuse, naming the flag whose value made it large.
pub(crate) fn check_environment_size(
    function: &str,
    environment: &BTreeMap<String, String>,
) -> anyhow::Result<()> {
    let size = serde_json::to_string(environment)
        .expect("a map of strings serialises")
        .len();
    if size > ENVIRONMENT_LIMIT_BYTES {
        let spec = environment.get(POOL_SPEC_VAR).map_or(0, String::len);
        bail!(
            "--pool-spec: the {function} function's environment would be {size} bytes, {spec} of them the pool spec; Lambda allows {ENVIRONMENT_LIMIT_BYTES} bytes in all (Lambda quotas): leave out the fields whose defaults you want"
        );
    }
    Ok(())
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
