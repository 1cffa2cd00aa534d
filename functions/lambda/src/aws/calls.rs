//! One SDK call per [`LambdaCalls`] method.

use super::convert::{environment_of, function_of};
use super::Lambda;
use crate::{CallResult, Function, FunctionSettings, LambdaCalls};
use aws_sdk_lambda::types as lambda;
use env_core::error::{aws_error, found};

impl LambdaCalls for Lambda {
    async fn function(&self, name: &str) -> CallResult<Option<Function>> {
        let result = self
            .client
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(aws_error("GetFunction"));
        let output = found(result, &["ResourceNotFoundException"])?;
        output
            .as_ref()
            .and_then(|output| output.configuration())
            .map(function_of)
            .transpose()
    }

    async fn create_function(&self, settings: &FunctionSettings) -> CallResult<()> {
        let code = lambda::FunctionCode::builder()
            .s3_bucket(&settings.code_bucket)
            .s3_key(&settings.code_key)
            .build();
        let vpc = lambda::VpcConfig::builder()
            .set_subnet_ids(Some(settings.subnet_ids.clone()))
            .set_security_group_ids(Some(settings.security_group_ids.clone()))
            .build();
        self.client
            .create_function()
            .function_name(&settings.name)
            .role(&settings.role_arn)
            .runtime(lambda::Runtime::Providedal2023)
            // The custom runtime's executable (Lambda developer guide, "Building Lambda functions
            // with Rust").
            .handler("bootstrap")
            .architectures(lambda::Architecture::from(settings.architecture.as_str()))
            .code(code)
            .vpc_config(vpc)
            .environment(environment_of(settings))
            .timeout(settings.timeout_seconds)
            .description(settings.description)
            .set_tags(Some(
                settings
                    .tags
                    .iter()
                    .map(|tag| (tag.key.to_owned(), tag.value.clone()))
                    .collect(),
            ))
            .send()
            .await
            .map_err(aws_error("CreateFunction"))?;
        Ok(())
    }

    async fn update_function_code(&self, settings: &FunctionSettings) -> CallResult<()> {
        self.client
            .update_function_code()
            .function_name(&settings.name)
            .s3_bucket(&settings.code_bucket)
            .s3_key(&settings.code_key)
            .architectures(lambda::Architecture::from(settings.architecture.as_str()))
            .send()
            .await
            .map_err(aws_error("UpdateFunctionCode"))?;
        Ok(())
    }

    async fn update_function_configuration(&self, settings: &FunctionSettings) -> CallResult<()> {
        self.client
            .update_function_configuration()
            .function_name(&settings.name)
            .timeout(settings.timeout_seconds)
            .environment(environment_of(settings))
            .send()
            .await
            .map_err(aws_error("UpdateFunctionConfiguration"))?;
        Ok(())
    }

    async fn allow_invoke(
        &self,
        function: &str,
        statement_id: &str,
        principal: &str,
        source_account: &str,
    ) -> CallResult<()> {
        self.client
            .add_permission()
            .function_name(function)
            .statement_id(statement_id)
            .action("lambda:InvokeFunction")
            .principal(principal)
            .source_account(source_account)
            .send()
            .await
            .map_err(aws_error("AddPermission"))?;
        Ok(())
    }

    async fn delete_function(&self, name: &str) -> CallResult<()> {
        self.client
            .delete_function()
            .function_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteFunction"))?;
        Ok(())
    }
}
