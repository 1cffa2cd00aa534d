//! One type for every secret value a function holds (a password, an auth token, a secret's JSON):
//! its `Debug` never shows the value, so neither a log line nor an error message can carry it by
//! accident. `expose` is the only way to read it, so every read is a visible choice.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_read_only_by_expose_and_never_printed() {
        let secret = Secret::new("s3cret-token");
        assert_eq!(secret.expose(), "s3cret-token");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(
            format!("{:?}", Some(secret.clone())),
            "Some(Secret(<redacted>))"
        );
        assert_eq!(secret, Secret::new(String::from("s3cret-token")));
    }
}
