//! The one way a function reads its own settings: from its environment variables, once, when its
//! process starts.
//!
//! Each function has one `Settings` type implementing [`FunctionSettings`]; `main` reads it with
//! [`FunctionSettings::from_env`] and hands the `Result` to the handler. A wrong setting does not
//! stop the process at start, where only its logs would say why: every invocation of an action
//! that needs the settings fails with [`Misconfigured`] before any AWS call, and the actions that
//! need none (a delete) keep working. The readers below are the checks the functions share.

use crate::error::{ErrorName, NamedError};
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// How settings are looked up: the value of the environment variable of this name, `None` when it
/// is not set (`std::env::var` in the functions, a map in the tests).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A setting the function cannot work with: the variable, the value found (`None` when it is not
/// set) and what it must be instead. Reported under [`ErrorName::Misconfigured`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Misconfigured {
    pub variable: &'static str,
    pub value: Option<String>,
    /// What the variable must hold, as a person reads it: `"steady" (the default) or "accepted"`.
    pub allowed: String,
}

impl Misconfigured {
    pub fn new(variable: &'static str, value: Option<String>, allowed: impl Into<String>) -> Self {
        Self {
            variable,
            value,
            allowed: allowed.into(),
        }
    }
}

/// `SERVICE_READY_WHEN is "soon": it must be "steady" (the default) or "accepted"`, and `… is (not
/// set): …` for a variable that is not set.
impl fmt::Display for Misconfigured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} is {value:?}", self.variable)?,
            None => write!(f, "{} is (not set)", self.variable)?,
        }
        write!(f, ": it must be {}", self.allowed)
    }
}

impl NamedError for Misconfigured {
    fn error_name(&self) -> ErrorName {
        ErrorName::Misconfigured
    }
}

/// A function's settings, read from its environment variables.
pub trait FunctionSettings: Sized {
    /// The settings as `lookup` finds them, or the first that is wrong.
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured>;

    /// The settings from the process's environment: what `main` calls, once.
    fn from_env() -> Result<Self, Misconfigured> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }
}

/// The value of `variable`, which must be set and not blank; `allowed` says what it holds.
pub fn required(
    lookup: Lookup<'_>,
    variable: &'static str,
    allowed: &str,
) -> Result<String, Misconfigured> {
    match lookup(variable) {
        Some(value) if !value.trim().is_empty() => Ok(value),
        value => Err(Misconfigured::new(variable, value, allowed)),
    }
}

/// The meaning of `variable`'s value among `choices` (the text, what it means), or `default` when
/// it is not set; without a default it must be set. The text must match exactly.
pub fn choice<T: Copy + PartialEq>(
    lookup: Lookup<'_>,
    variable: &'static str,
    choices: &[(&str, T)],
    default: Option<T>,
) -> Result<T, Misconfigured> {
    let value = lookup(variable);
    let chosen = match value.as_deref() {
        None => default,
        Some(text) => choices
            .iter()
            .find(|(name, _)| *name == text)
            .map(|&(_, meaning)| meaning),
    };
    chosen.ok_or_else(|| Misconfigured::new(variable, value, choices_text(choices, default)))
}

/// `"a" (the default), "b" or "c"`.
fn choices_text<T: PartialEq>(choices: &[(&str, T)], default: Option<T>) -> String {
    let names: Vec<String> = choices
        .iter()
        .map(|(name, meaning)| match &default {
            Some(default) if default == meaning => format!("{name:?} (the default)"),
            _ => format!("{name:?}"),
        })
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// The whole number `variable` holds (spaces around it aside), within `bounds`; `default` when it
/// is not set.
pub fn whole_number<T>(
    lookup: Lookup<'_>,
    variable: &'static str,
    bounds: RangeInclusive<T>,
    default: T,
) -> Result<T, Misconfigured>
where
    T: FromStr + PartialOrd + fmt::Display,
{
    let Some(text) = lookup(variable) else {
        return Ok(default);
    };
    match text.trim().parse() {
        Ok(number) if bounds.contains(&number) => Ok(number),
        _ => Err(Misconfigured::new(
            variable,
            Some(text),
            format!(
                "a whole number from {} to {} (the default: {default})",
                bounds.start(),
                bounds.end()
            ),
        )),
    }
}

/// What [`crate::iam::ROLE_BOUNDARY_VAR`] must hold.
pub const ROLE_BOUNDARY_ALLOWED: &str = "the ARN of the permissions boundary every role of an environment carries (envctl deploy sets it)";

/// The ARN of the permissions boundary the roles a function creates carry
/// ([`crate::iam::ROLE_BOUNDARY_VAR`]): set and not blank, as IAM-role owners require.
pub fn role_boundary(lookup: Lookup<'_>) -> Result<String, Misconfigured> {
    required(lookup, crate::iam::ROLE_BOUNDARY_VAR, ROLE_BOUNDARY_ALLOWED)
}

/// Settings that carry the permissions boundary of the roles their function creates.
pub trait WithRoleBoundary {
    fn role_boundary(&self) -> &str;
}

/// The boundary the function's roles are created with: `None` when the settings are wrong, and
/// then the actions that create roles fail on them before they could create one.
pub fn role_boundary_of<S: WithRoleBoundary>(
    settings: &Result<S, Misconfigured>,
) -> Option<String> {
    settings
        .as_ref()
        .ok()
        .map(|settings| settings.role_boundary().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn misconfigured_names_the_variable_the_value_and_what_is_allowed() {
        let wrong = Misconfigured::new("READY_WHEN", Some("soon".into()), "\"steady\"");
        assert_eq!(wrong.error_name(), ErrorName::Misconfigured);
        assert_eq!(
            wrong.to_string(),
            "READY_WHEN is \"soon\": it must be \"steady\""
        );
        let unset = Misconfigured::new("QUEUE_ARN", None, "a queue's ARN".to_owned());
        assert_eq!(
            unset.to_string(),
            "QUEUE_ARN is (not set): it must be a queue's ARN"
        );
        let blank = Misconfigured::new("QUEUE_ARN", Some(String::new()), "a queue's ARN");
        assert_eq!(
            blank.to_string(),
            "QUEUE_ARN is \"\": it must be a queue's ARN"
        );
    }

    #[test]
    fn a_required_value_is_set_and_not_blank() {
        let found = lookup(&[("BUCKET", "artifacts"), ("BLANK", " \t")]);
        assert_eq!(
            required(&found, "BUCKET", "a bucket name").unwrap(),
            "artifacts"
        );
        let blank = required(&found, "BLANK", "a bucket name").unwrap_err();
        assert_eq!(
            blank,
            Misconfigured::new("BLANK", Some(" \t".into()), "a bucket name")
        );
        let unset = required(&found, "KEY", "an object key").unwrap_err();
        assert_eq!(unset.value, None);
        assert_eq!(
            unset.to_string(),
            "KEY is (not set): it must be an object key"
        );
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Speed {
        Slow,
        Fast,
        Ludicrous,
    }

    const SPEEDS: [(&str, Speed); 3] = [
        ("slow", Speed::Slow),
        ("fast", Speed::Fast),
        ("ludicrous", Speed::Ludicrous),
    ];

    #[test]
    fn a_choice_is_one_of_the_texts_or_the_default_when_unset() {
        let found = lookup(&[("SPEED", "fast"), ("WRONG", "Fast"), ("EMPTY", "")]);
        assert_eq!(
            choice(&found, "SPEED", &SPEEDS, Some(Speed::Slow)).unwrap(),
            Speed::Fast
        );
        assert_eq!(
            choice(&found, "UNSET", &SPEEDS, Some(Speed::Slow)).unwrap(),
            Speed::Slow
        );
        let wrong = choice(&found, "WRONG", &SPEEDS, Some(Speed::Slow)).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "WRONG is \"Fast\": it must be \"slow\" (the default), \"fast\" or \"ludicrous\""
        );
        let empty = choice(&found, "EMPTY", &SPEEDS[..2], Some(Speed::Fast)).unwrap_err();
        assert_eq!(
            empty.to_string(),
            "EMPTY is \"\": it must be \"slow\" or \"fast\" (the default)"
        );
    }

    #[test]
    fn a_choice_without_a_default_must_be_set() {
        let found = lookup(&[("ARCH", "arm64")]);
        let arches = [("x86_64", "x86_64"), ("arm64", "arm64")];
        assert_eq!(choice(&found, "ARCH", &arches, None).unwrap(), "arm64");
        let unset = choice(&found, "OTHER", &arches, None).unwrap_err();
        assert_eq!(
            unset.to_string(),
            "OTHER is (not set): it must be \"x86_64\" or \"arm64\""
        );
        let single = choice(&found, "OTHER", &arches[..1], None).unwrap_err();
        assert_eq!(single.allowed, "\"x86_64\"");
    }

    #[test]
    fn a_whole_number_is_within_its_bounds_or_the_default_when_unset() {
        let found = lookup(&[
            ("LENGTH", " 64 "),
            ("SHORT", "15"),
            ("WORDS", "many"),
            ("NEGATIVE", "-1"),
        ]);
        assert_eq!(
            whole_number(&found, "LENGTH", 16..=4096, 32).unwrap(),
            64u32
        );
        assert_eq!(whole_number(&found, "UNSET", 16..=4096, 32).unwrap(), 32u32);
        let short = whole_number(&found, "SHORT", 16..=4096, 32u32).unwrap_err();
        assert_eq!(
            short.to_string(),
            "SHORT is \"15\": it must be a whole number from 16 to 4096 (the default: 32)"
        );
        for variable in ["WORDS", "NEGATIVE"] {
            let error = whole_number(&found, variable, 1..=60, 5u64).unwrap_err();
            assert_eq!(error.variable, variable);
            assert_eq!(
                error.allowed,
                "a whole number from 1 to 60 (the default: 5)"
            );
        }
    }

    #[test]
    fn the_role_boundary_is_required_under_its_variable() {
        let arn = "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";
        let found = lookup(&[("ROLE_PERMISSIONS_BOUNDARY", arn)]);
        assert_eq!(role_boundary(&found).unwrap(), arn);
        for missing in [lookup(&[]), lookup(&[("ROLE_PERMISSIONS_BOUNDARY", " ")])] {
            let error = role_boundary(&missing).unwrap_err();
            assert_eq!(error.variable, crate::iam::ROLE_BOUNDARY_VAR);
            assert_eq!(error.allowed, ROLE_BOUNDARY_ALLOWED);
        }
    }

    struct Bounded(&'static str);

    impl WithRoleBoundary for Bounded {
        fn role_boundary(&self) -> &str {
            self.0
        }
    }

    #[test]
    fn the_boundary_reaches_the_roles_only_from_settings_read_right() {
        let arn = "arn:aws:iam::123456789012:policy/b";
        assert_eq!(role_boundary_of(&Ok(Bounded(arn))).as_deref(), Some(arn));
        let wrong: Result<Bounded, _> = Err(Misconfigured::new("V", None, "a value"));
        assert_eq!(role_boundary_of(&wrong), None);
    }

    /// A function's settings: a required value and a number.
    #[derive(Debug, PartialEq, Eq)]
    struct Example {
        name: String,
        count: u8,
    }

    impl FunctionSettings for Example {
        fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
            Ok(Self {
                name: required(lookup, "ENV_CORE_SETTINGS_TEST_NAME", "a name")?,
                count: whole_number(lookup, "ENV_CORE_SETTINGS_TEST_COUNT", 1..=9, 3)?,
            })
        }
    }

    #[test]
    fn settings_are_read_through_a_lookup_or_from_the_environment() {
        let found = lookup(&[
            ("ENV_CORE_SETTINGS_TEST_NAME", "x"),
            ("ENV_CORE_SETTINGS_TEST_COUNT", "10"),
        ]);
        let error = Example::from_lookup(&found).unwrap_err();
        assert_eq!(error.variable, "ENV_CORE_SETTINGS_TEST_COUNT");
        // Variables no other test reads or sets.
        let error = Example::from_env().unwrap_err();
        assert_eq!(
            error,
            Misconfigured::new("ENV_CORE_SETTINGS_TEST_NAME", None, "a name")
        );
        std::env::set_var("ENV_CORE_SETTINGS_TEST_NAME", "from the environment");
        assert_eq!(
            Example::from_env().unwrap(),
            Example {
                name: "from the environment".into(),
                count: 3
            }
        );
    }
}
