//! The database function's own settings, from its environment variables: where the rotation
//! Lambda's code package lies, and whether the application secret is rotated at once.
//!
//! Read once per process and checked before any AWS call of a create or status; a teardown needs
//! none of them, so a misconfigured function can still delete what it made.

/// The S3 bucket holding the rotation function's zip.
pub const CODE_BUCKET_VAR: &str = "ROTATION_CODE_BUCKET";
/// The object key of the rotation function's zip in that bucket.
pub const CODE_KEY_VAR: &str = "ROTATION_CODE_KEY";
/// `true` (the default) or `false`: whether turning rotation on runs the first rotation at once.
/// The first rotation creates the application's database user, so AWS needs `true`; the emulator
/// cannot run the rotation Lambda (EMULATOR.md), so local runs set `false`.
pub const ROTATE_IMMEDIATELY_VAR: &str = "ROTATE_IMMEDIATELY";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub code_bucket: String,
    pub code_key: String,
    pub rotate_immediately: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the database function's environment variable {variable} {problem}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub problem: String,
}

fn required(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<String, SettingsError> {
    match lookup(variable) {
        Some(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(SettingsError {
            variable,
            problem: "is missing or empty; it names where the rotation function's code package is"
                .to_owned(),
        }),
    }
}

impl Settings {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let rotate_immediately = match lookup(ROTATE_IMMEDIATELY_VAR).as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(SettingsError {
                    variable: ROTATE_IMMEDIATELY_VAR,
                    problem: format!("is {other:?}; allowed: \"true\" or \"false\""),
                })
            }
        };
        Ok(Self {
            code_bucket: required(&lookup, CODE_BUCKET_VAR)?,
            code_key: required(&lookup, CODE_KEY_VAR)?,
            rotate_immediately,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    const CODE: [(&str, &str); 2] = [
        ("ROTATION_CODE_BUCKET", "artifacts"),
        ("ROTATION_CODE_KEY", "rotation.zip"),
    ];

    #[test]
    fn the_code_location_is_required_and_immediate_rotation_is_the_default() {
        assert_eq!(
            settings(&CODE).unwrap(),
            Settings {
                code_bucket: "artifacts".into(),
                code_key: "rotation.zip".into(),
                rotate_immediately: true
            }
        );
        let error = settings(&CODE[1..]).unwrap_err();
        assert_eq!(error.variable, "ROTATION_CODE_BUCKET");
        let error = settings(&[CODE[0], ("ROTATION_CODE_KEY", " ")]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("ROTATION_CODE_KEY is missing or empty"),
            "{error}"
        );
    }

    #[test]
    fn immediate_rotation_is_true_or_false_and_nothing_else() {
        let off = settings(&[CODE[0], CODE[1], ("ROTATE_IMMEDIATELY", "false")]).unwrap();
        assert!(!off.rotate_immediately);
        let on = settings(&[CODE[0], CODE[1], ("ROTATE_IMMEDIATELY", "true")]).unwrap();
        assert!(on.rotate_immediately);
        let error = settings(&[CODE[0], CODE[1], ("ROTATE_IMMEDIATELY", "no")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the database function's environment variable ROTATE_IMMEDIATELY is \"no\"; allowed: \"true\" or \"false\""
        );
    }
}
