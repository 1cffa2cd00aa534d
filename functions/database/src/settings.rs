//! The database function's own settings, from its environment variables: where the rotation
//! Lambda's code package lies, and whether the application secret is rotated at once.
//!
//! Read once per process and checked before any AWS call of a create or status; a teardown needs
//! none of them, so a misconfigured function can still delete what it made.

use env_core::settings::{
    choice, required, role_boundary, FunctionSettings, Lookup, Misconfigured, WithRoleBoundary,
};

/// The S3 bucket holding the rotation function's zip.
pub const CODE_BUCKET_VAR: &str = "ROTATION_CODE_BUCKET";
/// The object key of the rotation function's zip in that bucket.
pub const CODE_KEY_VAR: &str = "ROTATION_CODE_KEY";
/// The package's SHA-256, base64-encoded as Lambda reports it (`CodeSha256`): a rotation function
/// whose code differs is updated to the package (a redeploy reaches existing environments on their
/// next provision).
pub const CODE_SHA256_VAR: &str = "ROTATION_CODE_SHA256";
/// `true` (the default) or `false`: whether turning rotation on runs the first rotation at once.
/// The first rotation creates the application's database user, so AWS needs `true`; the emulator
/// cannot run the rotation Lambda (tools/emulator/README.md), so local runs set `false`.
pub const ROTATE_IMMEDIATELY_VAR: &str = "ROTATE_IMMEDIATELY";
/// `x86_64` or `arm64`: the processor the rotation package was built for (`envctl deploy
/// --architecture`); Lambda runs a package only on the architecture it is created with.
pub const ROTATION_ARCHITECTURE_VAR: &str = "ROTATION_ARCHITECTURE";
/// What [`ROTATION_ARCHITECTURE_VAR`] may be: Lambda's two architectures (Lambda API reference,
/// `CreateFunction`, `Architectures`).
pub const ARCHITECTURES: [&str; 2] = ["x86_64", "arm64"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub code_bucket: String,
    pub code_key: String,
    /// Lambda's `CodeSha256` of the package at `code_key`.
    pub code_sha256: String,
    pub rotate_immediately: bool,
    /// One of [`ARCHITECTURES`].
    pub architecture: String,
    /// The ARN of the permissions boundary the rotation function's role carries
    /// (`ROLE_PERMISSIONS_BOUNDARY`).
    pub role_boundary: String,
}

impl FunctionSettings for Settings {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        let rotate_immediately = choice(
            lookup,
            ROTATE_IMMEDIATELY_VAR,
            &[("true", true), ("false", false)],
            Some(true),
        )?;
        let code_bucket = required(
            lookup,
            CODE_BUCKET_VAR,
            "the S3 bucket holding the rotation function's code package",
        )?;
        let code_key = required(
            lookup,
            CODE_KEY_VAR,
            "the object key of the rotation function's code package in that bucket",
        )?;
        let code_sha256 = sha256_of(lookup)?;
        let architecture = choice(
            lookup,
            ROTATION_ARCHITECTURE_VAR,
            &ARCHITECTURES.map(|architecture| (architecture, architecture)),
            None,
        )?;
        Ok(Self {
            code_bucket,
            code_key,
            code_sha256,
            rotate_immediately,
            architecture: architecture.to_owned(),
            role_boundary: role_boundary(lookup)?,
        })
    }
}

impl WithRoleBoundary for Settings {
    fn role_boundary(&self) -> &str {
        &self.role_boundary
    }
}

/// A SHA-256 in standard base64: 43 characters and one `=` of padding, as Lambda writes
/// `CodeSha256`.
fn sha256_of(lookup: Lookup<'_>) -> Result<String, Misconfigured> {
    let value = lookup(CODE_SHA256_VAR);
    match value {
        // 44 bytes ending in '=': the first 43 end on a character boundary.
        Some(value)
            if value.len() == 44
                && value.ends_with('=')
                && value[..43]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/') =>
        {
            Ok(value)
        }
        other => Err(Misconfigured::new(
            CODE_SHA256_VAR,
            other,
            "the rotation package's SHA-256 in base64 (44 characters ending in '='), as Lambda reports CodeSha256",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::iam::ROLE_BOUNDARY_VAR;
    use env_core::settings::role_boundary_of;
    use env_core::{ErrorName, NamedError};
    use std::collections::BTreeMap;

    const BOUNDARY: &str = "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";

    /// The settings these variables give, with the role boundary set.
    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, Misconfigured> {
        let mut map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        map.insert(ROLE_BOUNDARY_VAR.into(), BOUNDARY.into());
        Settings::from_lookup(&|name| map.get(name).cloned())
    }

    const SHA: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    const CODE: [(&str, &str); 4] = [
        ("ROTATION_CODE_BUCKET", "artifacts"),
        ("ROTATION_CODE_KEY", "rotation.zip"),
        ("ROTATION_ARCHITECTURE", "x86_64"),
        ("ROTATION_CODE_SHA256", SHA),
    ];

    #[test]
    fn the_code_location_is_required_and_immediate_rotation_is_the_default() {
        assert_eq!(
            settings(&CODE).unwrap(),
            Settings {
                code_bucket: "artifacts".into(),
                code_key: "rotation.zip".into(),
                code_sha256: SHA.into(),
                rotate_immediately: true,
                architecture: "x86_64".into(),
                role_boundary: BOUNDARY.into(),
            }
        );
        assert_eq!(
            role_boundary_of(&settings(&CODE)).as_deref(),
            Some(BOUNDARY)
        );
        let error = settings(&CODE[1..]).unwrap_err();
        assert_eq!(error.variable, "ROTATION_CODE_BUCKET");
        let error = settings(&[CODE[0], ("ROTATION_CODE_KEY", " "), CODE[2]]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "ROTATION_CODE_KEY is \" \": it must be the object key of the rotation function's code package in that bucket"
        );
        let unbounded = Settings::from_lookup(&|name| {
            let found = CODE.iter().find(|(key, _)| *key == name);
            found.map(|(_, value)| value.to_string())
        });
        let error = unbounded.unwrap_err();
        assert_eq!(error.variable, ROLE_BOUNDARY_VAR);
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
    }

    #[test]
    fn the_rotation_architecture_is_one_of_lambdas_two() {
        let arm = settings(&[
            CODE[0],
            CODE[1],
            CODE[3],
            ("ROTATION_ARCHITECTURE", "arm64"),
        ])
        .unwrap();
        assert_eq!(arm.architecture, "arm64");
        let error = settings(&[CODE[0], CODE[1], CODE[3]]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "ROTATION_ARCHITECTURE is (not set): it must be \"x86_64\" or \"arm64\""
        );
        let error = settings(&[
            CODE[0],
            CODE[1],
            CODE[3],
            ("ROTATION_ARCHITECTURE", "aarch64"),
        ])
        .unwrap_err();
        assert!(
            error.to_string().contains("is \"aarch64\": it must be"),
            "{error}"
        );
    }

    #[test]
    fn immediate_rotation_is_true_or_false_and_nothing_else() {
        let off = settings(&[
            CODE[0],
            CODE[1],
            CODE[2],
            CODE[3],
            ("ROTATE_IMMEDIATELY", "false"),
        ])
        .unwrap();
        assert!(!off.rotate_immediately);
        let on = settings(&[
            CODE[0],
            CODE[1],
            CODE[2],
            CODE[3],
            ("ROTATE_IMMEDIATELY", "true"),
        ])
        .unwrap();
        assert!(on.rotate_immediately);
        let error = settings(&[
            CODE[0],
            CODE[1],
            CODE[2],
            CODE[3],
            ("ROTATE_IMMEDIATELY", "no"),
        ])
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "ROTATE_IMMEDIATELY is \"no\": it must be \"true\" (the default) or \"false\""
        );
    }

    #[test]
    fn the_package_hash_is_a_base64_sha256() {
        for bad in [
            "",
            "47DEQpj8HBSa",
            &SHA[..43],
            &format!("{}x", &SHA[..43]),
            &SHA.replace('+', "-"),
            &format!("{}é=", &SHA[..41]),
        ] {
            let error =
                settings(&[CODE[0], CODE[1], CODE[2], ("ROTATION_CODE_SHA256", bad)]).unwrap_err();
            assert_eq!(error.variable, "ROTATION_CODE_SHA256", "{bad}");
            assert!(
                error.to_string().contains(&format!(
                    "is {bad:?}: it must be the rotation package's SHA-256 in base64"
                )),
                "{error}"
            );
        }
        let error = settings(&CODE[..3]).unwrap_err();
        assert_eq!(error.variable, "ROTATION_CODE_SHA256");
        assert_eq!(error.value, None);
    }
}
