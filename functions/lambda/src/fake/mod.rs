//! [`LambdaCalls`] in memory, for the unit tests of every caller: it keeps the functions made and
//! the permissions given and answers GetFunction from them. Every call lands in the function's
//! shared [`SharedRecorder`], where a test also makes a named operation fail with a given AWS error
//! code, the way AWS answers (throttling, `ResourceConflictException` …). A test puts a function
//! another component made into the world directly ([`LambdaWorld::add`]).

use crate::{CallResult, Function, FunctionSettings, LambdaCalls};
use env_core::error::aws_failure;
use env_core::recorder::{RecordedWorld, SharedRecorder};
use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

pub const ACCOUNT: &str = "123456789012";

/// What the fake Lambda holds.
#[derive(Debug, Default)]
pub struct LambdaWorld {
    pub functions: BTreeMap<String, (FunctionSettings, Function)>,
    /// The state a new function starts in (AWS: `Pending` for a VPC function, then `Active`).
    pub function_state: Option<&'static str>,
    /// (function, statement id, principal, source account).
    pub permissions: Vec<(String, String, String, String)>,
    /// The clock of `LastModified`: this long after the epoch.
    pub clock: Duration,
}

impl LambdaWorld {
    /// The function `settings` make, as GetFunction describes it once made, in `state`.
    fn described(&self, settings: &FunctionSettings, state: &str) -> Function {
        Function {
            arn: format!(
                "arn:aws:lambda:us-west-2:{ACCOUNT}:function:{}",
                settings.name
            ),
            state: state.to_owned(),
            updating: false,
            update_failure: None,
            last_modified: Some(UNIX_EPOCH + self.clock),
            subnet_ids: settings.subnet_ids.clone(),
            security_group_ids: settings.security_group_ids.clone(),
            code_sha256: settings.code_sha256.clone(),
            architecture: settings.architecture.clone(),
            timeout_seconds: settings.timeout_seconds,
            environment: settings.variables(),
        }
    }

    /// A function another component made (as the database function makes the rotation function
    /// the cache function reads), in `state`: only its name is known here.
    pub fn add(&mut self, name: &str, state: &str) {
        let settings = FunctionSettings {
            name: name.to_owned(),
            description: "",
            role_arn: String::new(),
            code_bucket: String::new(),
            code_key: String::new(),
            code_sha256: String::new(),
            architecture: "x86_64".to_owned(),
            subnet_ids: Vec::new(),
            security_group_ids: Vec::new(),
            environment: Vec::new(),
            timeout_seconds: 3,
            tags: Vec::new(),
        };
        let function = self.described(&settings, state);
        self.functions.insert(name.to_owned(), (settings, function));
    }

    /// The function an update call changes, marked as updating. (Lambda refuses a second change
    /// while the first is in progress, ResourceConflictException; the callers never ask for one
    /// then, and the tests inject that refusal as a fault.)
    fn updated(&mut self, name: &str) -> &mut Function {
        let (_, function) = self
            .functions
            .get_mut(name)
            .expect("the callers update only a function they have just read");
        function.updating = true;
        function.last_modified = Some(UNIX_EPOCH + self.clock);
        function
    }
}

#[derive(Debug)]
pub struct FakeLambda {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<LambdaWorld>,
}

impl FakeLambda {
    /// An account without functions, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(LambdaWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeLambda, LambdaWorld, recorded);

impl LambdaCalls for FakeLambda {
    async fn function(&self, name: &str) -> CallResult<Option<Function>> {
        let mut world = self.read("GetFunction")?;
        let Some((_, function)) = world.functions.get_mut(name) else {
            return Ok(None);
        };
        let described = function.clone();
        // An update takes until the read after it (AWS: seconds).
        function.updating = false;
        Ok(Some(described))
    }

    async fn create_function(&self, settings: &FunctionSettings) -> CallResult<()> {
        let mut world = self.write("CreateFunction")?;
        let function = world.described(settings, world.function_state.unwrap_or("Active"));
        world
            .functions
            .insert(settings.name.clone(), (settings.clone(), function));
        Ok(())
    }

    async fn update_function_code(&self, settings: &FunctionSettings) -> CallResult<()> {
        let mut world = self.write("UpdateFunctionCode")?;
        let function = world.updated(&settings.name);
        function.code_sha256 = settings.code_sha256.clone();
        function.architecture = settings.architecture.clone();
        Ok(())
    }

    async fn update_function_configuration(&self, settings: &FunctionSettings) -> CallResult<()> {
        let mut world = self.write("UpdateFunctionConfiguration")?;
        let function = world.updated(&settings.name);
        function.timeout_seconds = settings.timeout_seconds;
        function.environment = settings.variables();
        Ok(())
    }

    async fn allow_invoke(
        &self,
        function: &str,
        statement_id: &str,
        principal: &str,
        source_account: &str,
    ) -> CallResult<()> {
        let mut world = self.read("AddPermission")?;
        if world
            .permissions
            .iter()
            .any(|(f, id, ..)| f == function && id == statement_id)
        {
            return Err(aws_failure("AddPermission", "ResourceConflictException"));
        }
        self.recorder.lock().changes.push("AddPermission");
        world.permissions.push((
            function.to_owned(),
            statement_id.to_owned(),
            principal.to_owned(),
            source_account.to_owned(),
        ));
        Ok(())
    }

    async fn delete_function(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteFunction")?;
        world.functions.remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
