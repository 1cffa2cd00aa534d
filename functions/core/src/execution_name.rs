//! The names of the workflows' executions, shared by everything that starts or reads them (envctl's
//! `env` commands and the waker function): a repeated request must compute the same name wherever
//! it is made, because Step Functions runs one execution per name and state machine ("Executions
//! with the same name and input are considered idempotent", StartExecution API reference, Errors,
//! ExecutionAlreadyExists).
//!
//! Also the inverse of the wake target group's name ([`wake_target_group_suffix`]), by which the
//! waker tells which environment a request is for.

use crate::naming::{NameKind, Names};
use crate::pool::claimed_suffix;
use crate::spec::{EnvironmentSpec, EnvironmentSuffix, InvalidSpec};
use serde_json::{json, Value};

/// The longest execution name: Step Functions allows 80 characters (API reference, StartExecution
/// `name`), and a rollback's teardown is named `rollback-` + the provision's name.
pub const MAX_EXECUTION_NAME: usize = 71;

/// `<suffix>--<request>[-g<generation>]`: the double hyphen cannot occur in a suffix, so the
/// suffix is recoverable from any execution name. `request` is the caller's id (a CI run) or, by
/// default, a hash of the input, so the same trigger twice starts one execution; `generation`
/// (the name of the environment's latest execution of the other workflow, hashed) makes the same
/// trigger a new execution once the environment has been torn down and is brought up again.
pub fn execution_name(
    suffix: &EnvironmentSuffix,
    request: Option<&str>,
    input: &Value,
    generation: Option<&str>,
) -> String {
    let request = match request {
        Some(id) => id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
        None => format!("{:016x}", fnv1a(input.to_string().as_bytes())),
    };
    // 32 bits of the hash tell a handful of generations apart; the name keeps it whole. No
    // generation, no tag.
    let tag = generation
        .map(|name| format!("-g{:08x}", fnv1a(name.as_bytes()) as u32))
        .unwrap_or_default();
    let mut name = format!("{suffix}--{request}");
    name.truncate(MAX_EXECUTION_NAME - tag.len());
    name.push_str(&tag);
    name
}

/// The suffix an execution name was built from, if it was built by [`execution_name`].
pub fn suffix_of(execution_name: &str) -> Option<&str> {
    execution_name.split_once("--").map(|(suffix, _)| suffix)
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike `DefaultHasher`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The environment an execution named `name` is for, in every name the backend gives:
/// `<suffix>--…` ([`execution_name`], and the idle sleep's `<suffix>--sleep-…`), `claim-<pool
/// suffix>`, the scheduled cleanup's teardown `cleanup-<suffix>-<compact UTC time>`, and the
/// teardowns the workflows start, `rollback-<name>` and `retire-<claim name>`
/// (statemachine/*.asl.json).
pub fn owner(name: &str) -> Option<&str> {
    let name = name.strip_prefix("rollback-").unwrap_or(name);
    let name = name.strip_prefix("retire-").unwrap_or(name);
    if let Some(suffix) = suffix_of(name) {
        return Some(suffix);
    }
    if let Some(suffix) = claimed_suffix(name) {
        return Some(suffix);
    }
    // `cleanup-<suffix>-20261126T031507Z` (functions/cleanup, teardown::execution_name).
    let (suffix, time) = name.strip_prefix("cleanup-")?.rsplit_once('-')?;
    let compact = time.len() == "20261126T031507Z".len() && time.ends_with('Z');
    compact.then_some(suffix)
}

/// What a provision that changes only `asleep` starts: the execution's name and input.
#[derive(Debug, Clone, PartialEq)]
pub struct Converge {
    pub name: String,
    pub input: Value,
}

/// The provision that puts the environment of `spec` (the input of its latest provision or claim,
/// named `latest`) asleep or awake: `spec` with `asleep` set, named by [`execution_name`] from a
/// hash of that input in the generation of `latest`. Deterministic for (spec, state, `latest`), so
/// `envctl env wake` and the waker, deciding from the same latest execution, start one execution;
/// and never the name of the provision that made the environment, whose input a wake repeats (a
/// closed execution's name answers ExecutionAlreadyExists for 90 days, StartExecution API
/// reference). Fails when the spec cannot have that state (standby and asleep).
pub fn converge(
    spec: &EnvironmentSpec,
    asleep: bool,
    latest: &str,
) -> Result<Converge, InvalidSpec> {
    let mut value = serde_json::to_value(spec).expect("a spec serialises to JSON");
    value["asleep"] = json!(asleep);
    let changed = EnvironmentSpec::from_value(&value)?;
    let input = json!({ "spec": changed });
    let name = execution_name(spec.suffix(), None, &input, Some(latest));
    Ok(Converge { name, input })
}

/// The environment whose wake target group is named `name`: the inverse of
/// `Names::of(NameKind::WakeTargetGroup)`. Any part after a hyphen that is a valid suffix and
/// names back to `name` is it, so the prefix is read from [`crate::naming`] alone.
pub fn wake_target_group_suffix(name: &str) -> Option<EnvironmentSuffix> {
    name.match_indices('-').find_map(|(at, _)| {
        let suffix = EnvironmentSuffix::parse(&name[at + 1..]).ok()?;
        (Names::new(&suffix).of(NameKind::WakeTargetGroup) == name).then_some(suffix)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::example;

    fn suffix(text: &str) -> EnvironmentSuffix {
        EnvironmentSuffix::parse(text).unwrap()
    }

    #[test]
    fn the_same_request_gets_the_same_name_within_71_characters() {
        let input = json!({"spec": {"environmentSuffix": "pr-42"}});
        let first = execution_name(&suffix("pr-42"), None, &input, None);
        assert_eq!(first, execution_name(&suffix("pr-42"), None, &input, None));
        assert_eq!(first, "pr-42--0c49dc26071c0291");
        assert_eq!(
            execution_name(&suffix("pr-42"), Some("run 77/1"), &input, None),
            "pr-42--run771"
        );
        let long = execution_name(
            &suffix("a23456789012345678901-3"),
            Some(&"x".repeat(90)),
            &input,
            Some("a23456789012345678901-3--down"),
        );
        assert_eq!(long.len(), MAX_EXECUTION_NAME);
        assert_eq!(&long[long.len() - 10..long.len() - 8], "-g");
        assert_eq!(suffix_of(&long), Some("a23456789012345678901-3"));
        assert_eq!(suffix_of("manual-run"), None);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        // A new generation (the environment torn down and brought up again) renames the same
        // request.
        let after = execution_name(&suffix("pr-42"), Some("abc"), &input, Some("pr-42--down1"));
        assert_eq!(after.len(), "pr-42--abc-g".len() + 8);
        assert!(after.starts_with("pr-42--abc-g"), "{after}");
        let again = execution_name(&suffix("pr-42"), Some("abc"), &input, Some("pr-42--down2"));
        assert_ne!(after, again);
    }

    #[test]
    fn every_name_the_backend_gives_says_its_environment() {
        for (name, suffix) in [
            ("pr-42--3f2a9c0d11e4b7a2", "pr-42"),
            ("pr-42--sleep-20261126T030000Z", "pr-42"),
            ("claim-pool-tp3cg000", "pool-tp3cg000"),
            ("cleanup-pr-42-20261126T030000Z", "pr-42"),
            ("rollback-pr-42--3f2a9c0d11e4b7a2", "pr-42"),
            ("rollback-claim-pool-a", "pool-a"),
            ("retire-claim-pool-a", "pool-a"),
        ] {
            assert_eq!(owner(name), Some(suffix), "{name}");
        }
        for name in [
            "claim-pr-4",
            "cleanup-pr-42",
            "cleanup-pr-42-yesterday",
            "cleanup-pr-42-20261126T030000",
            "something-else",
        ] {
            assert_eq!(owner(name), None, "{name}");
        }
    }

    #[test]
    fn a_converge_sets_asleep_and_is_named_in_the_generation_of_the_latest_execution() {
        let spec = example::with(json!({}));
        let asleep = converge(&spec, true, "demo--a").unwrap();
        assert_eq!(asleep.input["spec"]["asleep"], json!(true));
        assert_eq!(
            asleep.name,
            execution_name(spec.suffix(), None, &asleep.input, Some("demo--a"))
        );
        assert_eq!(converge(&spec, true, "demo--a").unwrap(), asleep);
        let later = converge(&spec, true, "demo--b").unwrap();
        assert_ne!(later.name, asleep.name);
        let awake = converge(&spec, false, "demo--a").unwrap();
        let awake_spec = EnvironmentSpec::from_value(&awake.input["spec"]).unwrap();
        assert!(!awake_spec.fields().asleep);
        let standby = example::with(json!({"standby": true}));
        let refused = converge(&standby, true, "demo--a").unwrap_err();
        assert_eq!(refused.problems()[0].field, "asleep");
    }

    #[test]
    fn a_wake_target_group_name_gives_its_suffix_back_and_nothing_else_does() {
        for text in ["pr-42", "demo", "a23456789012345678901-3"] {
            let name = Names::new(&suffix(text)).of(NameKind::WakeTargetGroup);
            assert_eq!(wake_target_group_suffix(&name), Some(suffix(text)));
        }
        for name in ["tg-blue-pr-42", "tg-wake-", "tg-wake-PR_42", "wake", ""] {
            assert_eq!(wake_target_group_suffix(name), None, "{name}");
        }
    }
}
