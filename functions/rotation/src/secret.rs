//! The secret's JSON: the credentials of one PostgreSQL user, in the shape AWS's rotation templates
//! and RDS use (`engine`, `host`, `port`, `username`, `password`, `dbname`, and `masterarn` for
//! alternating users). Fields this function does not know are kept as they are.

use serde_json::{Map, Value};
use std::fmt;

/// PostgreSQL's identifier limit: NAMEDATALEN - 1 = 63 bytes (PostgreSQL docs, "Identifiers and Key
/// Words"); a longer role name would be silently truncated and the clone would log in as another role.
pub const MAX_IDENTIFIER_BYTES: usize = 63;
/// The suffix of the second user of the alternating strategy (as in AWS's templates).
pub const CLONE_SUFFIX: &str = "_clone";
/// PostgreSQL's port when the secret names none.
pub const DEFAULT_PORT: u16 = 5432;
/// The database to log in to when the secret names none.
pub const DEFAULT_DBNAME: &str = "postgres";

/// A password: never printed, never logged (the workspace's one redaction type).
pub use env_core::redacted::Secret as Password;

/// Which strategy a secret asks for: a `masterarn` field means alternating users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    SingleUser,
    AlternatingUsers { master_arn: String },
}

/// What is wrong with a secret's value. Never carries the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSecret(pub String);

/// The credentials a secret version holds.
#[derive(Clone, PartialEq)]
pub struct Credentials {
    pub host: Option<String>,
    pub port: u16,
    pub dbname: String,
    pub username: String,
    pub password: Password,
    fields: Map<String, Value>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("dbname", &self.dbname)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn text_field(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, InvalidSecret> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if !text.is_empty() => Ok(Some(text.clone())),
        // The value is not repeated: it may be the password.
        Some(_) => Err(InvalidSecret(format!("`{name}` is not a non-empty string"))),
    }
}

fn required(fields: &Map<String, Value>, name: &str) -> Result<String, InvalidSecret> {
    text_field(fields, name)?.ok_or_else(|| InvalidSecret(format!("`{name}` is missing")))
}

/// RDS writes the port as a number; hand-written secrets often hold it as a string.
fn port_field(fields: &Map<String, Value>) -> Result<u16, InvalidSecret> {
    let port = match fields.get("port") {
        None | Some(Value::Null) => return Ok(DEFAULT_PORT),
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.parse().ok(),
        Some(_) => None,
    };
    port.and_then(|port| u16::try_from(port).ok())
        .filter(|port| *port > 0)
        .ok_or_else(|| InvalidSecret("`port` is not a port number (1-65535)".to_owned()))
}

impl Credentials {
    /// Reads a secret's JSON. `username` and `password` are required; `host` is required by
    /// [`Credentials::require_host`] for the secret being rotated, but a master secret managed by RDS
    /// holds only username and password.
    pub fn parse(text: &str) -> Result<Self, InvalidSecret> {
        let value: Value = serde_json::from_str(text)
            .map_err(|_| InvalidSecret("the value is not JSON".to_owned()))?;
        let Value::Object(fields) = value else {
            return Err(InvalidSecret("the value is not a JSON object".to_owned()));
        };
        if let Some(engine) = text_field(&fields, "engine")? {
            if engine != "postgres" {
                return Err(InvalidSecret(format!(
                    "`engine` is {engine:?}; this function rotates \"postgres\" credentials"
                )));
            }
        }
        Ok(Self {
            host: text_field(&fields, "host")?,
            port: port_field(&fields)?,
            dbname: text_field(&fields, "dbname")?.unwrap_or_else(|| DEFAULT_DBNAME.to_owned()),
            username: required(&fields, "username")?,
            password: Password::new(required(&fields, "password")?),
            fields,
        })
    }

    pub fn require_host(&self) -> Result<&str, InvalidSecret> {
        self.host
            .as_deref()
            .ok_or_else(|| InvalidSecret("`host` is missing".to_owned()))
    }

    pub fn strategy(&self) -> Result<Strategy, InvalidSecret> {
        Ok(match text_field(&self.fields, "masterarn")? {
            None => Strategy::SingleUser,
            Some(master_arn) => Strategy::AlternatingUsers { master_arn },
        })
    }

    /// The same secret for another user or password: every other field is kept.
    pub fn with_login(&self, username: &str, password: &Password) -> Self {
        let mut fields = self.fields.clone();
        fields.insert("username".to_owned(), Value::from(username));
        fields.insert("password".to_owned(), Value::from(password.expose()));
        Self {
            username: username.to_owned(),
            password: password.clone(),
            fields,
            ..self.clone()
        }
    }

    /// A master secret completed with what it lacks from the secret being rotated: an RDS-managed
    /// master secret holds only `username` and `password`, and it belongs to the same cluster. Each
    /// of host, port and database the master secret leaves out is the rotated secret's; those it
    /// names are kept, and must then match (the protocol checks).
    pub fn completed_from(mut self, rotated: &Credentials) -> Self {
        if self.host.is_none() {
            self.host = rotated.host.clone();
        }
        if !self.fields.contains_key("port") {
            self.port = rotated.port;
        }
        if !self.fields.contains_key("dbname") {
            self.dbname = rotated.dbname.clone();
        }
        self
    }

    pub fn to_json(&self) -> String {
        Value::Object(self.fields.clone()).to_string()
    }
}

/// The other user of the alternating pair: `name` ↔ `name_clone`.
pub fn alternate_username(username: &str) -> Result<String, InvalidSecret> {
    let other = match username.strip_suffix(CLONE_SUFFIX) {
        Some(base) if !base.is_empty() => base.to_owned(),
        _ => format!("{username}{CLONE_SUFFIX}"),
    };
    if other.len() > MAX_IDENTIFIER_BYTES {
        return Err(InvalidSecret(format!(
            "the alternate user name {other:?} is {} bytes long; PostgreSQL allows at most {MAX_IDENTIFIER_BYTES}",
            other.len()
        )));
    }
    Ok(other)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"{"engine":"postgres","host":"db.example","port":6543,"username":"app","password":"p1","dbname":"catalog","masterarn":"arn:master","dbClusterIdentifier":"aurora-pr-1"}"#;

    #[test]
    fn a_secret_is_read_with_every_field_and_the_unknown_ones_kept() {
        let credentials = Credentials::parse(APP).unwrap();
        assert_eq!(credentials.require_host().unwrap(), "db.example");
        assert_eq!(credentials.port, 6543);
        assert_eq!(credentials.dbname, "catalog");
        assert_eq!(credentials.username, "app");
        assert_eq!(credentials.password.expose(), "p1");
        assert_eq!(
            credentials.strategy().unwrap(),
            Strategy::AlternatingUsers {
                master_arn: "arn:master".to_owned()
            }
        );
        let next = credentials.with_login("app_clone", &Password::new("p2"));
        let json: Value = serde_json::from_str(&next.to_json()).unwrap();
        assert_eq!(json["username"], "app_clone");
        assert_eq!(json["password"], "p2");
        assert_eq!(json["dbClusterIdentifier"], "aurora-pr-1");
        assert_eq!(json["port"], 6543);
    }

    #[test]
    fn defaults_fill_port_and_database_and_single_user_is_the_default_strategy() {
        let credentials =
            Credentials::parse(r#"{"host":"h","username":"u","password":"p","port":"5433"}"#)
                .unwrap();
        assert_eq!(credentials.port, 5433);
        assert_eq!(credentials.dbname, "postgres");
        assert_eq!(credentials.strategy().unwrap(), Strategy::SingleUser);
        let defaulted =
            Credentials::parse(r#"{"host":"h","username":"u","password":"p"}"#).unwrap();
        assert_eq!(defaulted.port, 5432);
    }

    #[test]
    fn neither_debug_nor_errors_show_a_password() {
        let credentials = Credentials::parse(APP).unwrap();
        let debug = format!("{credentials:?}");
        assert_eq!(format!("{:?}", credentials.password), "Secret(<redacted>)");
        assert!(!debug.contains("p1"), "{debug}");
        assert!(debug.contains("app"), "{debug}");
        let error = Credentials::parse(r#"{"username":"u","password":12345678}"#).unwrap_err();
        assert_eq!(error.to_string(), "`password` is not a non-empty string");
        assert!(!error.to_string().contains("12345678"));
    }

    #[test]
    fn malformed_secrets_are_refused_with_the_field_named() {
        for (text, problem) in [
            ("not json", "the value is not JSON"),
            ("[1]", "the value is not a JSON object"),
            (r#"{"password":"p"}"#, "`username` is missing"),
            (r#"{"username":"u"}"#, "`password` is missing"),
            (
                r#"{"username":"u","password":"p","port":0}"#,
                "`port` is not a port number (1-65535)",
            ),
            (
                r#"{"username":"u","password":"p","port":70000}"#,
                "`port` is not a port number (1-65535)",
            ),
            (
                r#"{"username":"u","password":"p","port":true}"#,
                "`port` is not a port number (1-65535)",
            ),
            (
                r#"{"username":"u","password":"p","engine":"mysql"}"#,
                "`engine` is \"mysql\"; this function rotates \"postgres\" credentials",
            ),
        ] {
            assert_eq!(Credentials::parse(text).unwrap_err().0, problem, "{text}");
        }
        let no_host =
            Credentials::parse(r#"{"username":"u","password":"p","masterarn":7}"#).unwrap();
        assert_eq!(no_host.require_host().unwrap_err().0, "`host` is missing");
        assert_eq!(
            no_host.strategy().unwrap_err().0,
            "`masterarn` is not a non-empty string"
        );
    }

    #[test]
    fn an_rds_managed_master_secret_is_completed_from_the_rotated_secret() {
        let app = Credentials::parse(APP).unwrap();
        let master = Credentials::parse(r#"{"username":"admin","password":"m"}"#)
            .unwrap()
            .completed_from(&app);
        assert_eq!(master.require_host().unwrap(), "db.example");
        assert_eq!(master.port, 6543);
        assert_eq!(master.dbname, "catalog");
        assert_eq!(master.username, "admin");
        let own = Credentials::parse(r#"{"username":"a","password":"m","host":"other","port":1}"#)
            .unwrap()
            .completed_from(&app);
        assert_eq!(own.require_host().unwrap(), "other");
        assert_eq!(own.port, 1);
        assert_eq!(
            own.dbname, "catalog",
            "the database it leaves out is the rotated one's"
        );
        let partial =
            Credentials::parse(r#"{"username":"a","password":"m","port":7,"dbname":"d"}"#)
                .unwrap()
                .completed_from(&app);
        assert_eq!((partial.port, partial.dbname.as_str()), (7, "d"));
    }

    #[test]
    fn the_alternate_user_switches_between_name_and_name_clone_within_63_bytes() {
        assert_eq!(alternate_username("app").unwrap(), "app_clone");
        assert_eq!(alternate_username("app_clone").unwrap(), "app");
        assert_eq!(alternate_username("_clone").unwrap(), "_clone_clone");
        let longest = "a".repeat(57);
        assert_eq!(alternate_username(&longest).unwrap().len(), 63);
        let too_long = "a".repeat(58);
        let error = alternate_username(&too_long).unwrap_err();
        assert!(
            error
                .0
                .contains("is 64 bytes long; PostgreSQL allows at most 63"),
            "{error}"
        );
    }
}
