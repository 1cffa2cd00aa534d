//! The backend's Step Functions state machines (provision and teardown): read, created, updated
//! and deleted.

use crate::api::{MachineState, Result};
use crate::settle;
use env_core::error::{aws_error, found};

#[derive(Debug, Clone)]
pub(super) struct StateMachines {
    sfn: aws_sdk_sfn::Client,
}

impl StateMachines {
    pub(super) fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            sfn: aws_sdk_sfn::Client::new(config),
        }
    }

    pub(super) async fn get(&self, arn: &str) -> Result<Option<MachineState>> {
        let described = self
            .sfn
            .describe_state_machine()
            .state_machine_arn(arn)
            .send()
            .await;
        let described = described.map_err(aws_error("DescribeStateMachine"));
        let described = found(described, &["StateMachineDoesNotExist"])?;
        Ok(described.map(|machine| MachineState {
            definition: machine.definition().to_owned(),
            role_arn: machine.role_arn().to_owned(),
        }))
    }

    pub(super) async fn create(&self, name: &str, state: &MachineState) -> Result<()> {
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.sfn
                .create_state_machine()
                .name(name)
                .definition(&state.definition)
                .role_arn(&state.role_arn)
                .r#type(aws_sdk_sfn::types::StateMachineType::Standard)
                .send()
                .await
                .map_err(aws_error("CreateStateMachine"))
        })
        .await?;
        Ok(())
    }

    pub(super) async fn update(&self, arn: &str, state: &MachineState) -> Result<()> {
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.sfn
                .update_state_machine()
                .state_machine_arn(arn)
                .definition(&state.definition)
                .role_arn(&state.role_arn)
                .send()
                .await
                .map_err(aws_error("UpdateStateMachine"))
        })
        .await?;
        Ok(())
    }

    pub(super) async fn delete(&self, arn: &str) -> Result<bool> {
        if self.get(arn).await?.is_none() {
            return Ok(false);
        }
        self.sfn
            .delete_state_machine()
            .state_machine_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteStateMachine"))?;
        Ok(true)
    }
}
