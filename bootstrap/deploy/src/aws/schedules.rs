//! The backend's EventBridge Scheduler schedule (the hourly cleanup): read, created, updated and
//! deleted.

use crate::api::{Result, ScheduleState};
use crate::settle;
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
use env_core::error::{aws_error, found, Required};

#[derive(Debug, Clone)]
pub(super) struct Schedules {
    scheduler: aws_sdk_scheduler::Client,
}

impl Schedules {
    pub(super) fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            scheduler: aws_sdk_scheduler::Client::new(config),
        }
    }

    pub(super) async fn get(&self, name: &str) -> Result<Option<ScheduleState>> {
        let got = self.scheduler.get_schedule().name(name).send().await;
        let got = got.map_err(aws_error("GetSchedule"));
        let Some(schedule) = found(got, &["ResourceNotFoundException"])? else {
            return Ok(None);
        };
        let target = schedule.target().required("GetScheduleResponse.Target")?;
        let expression = schedule
            .schedule_expression()
            .required("GetScheduleResponse.ScheduleExpression")?;
        Ok(Some(ScheduleState {
            expression: expression.to_owned(),
            target_arn: target.arn().to_owned(),
            role_arn: target.role_arn().to_owned(),
        }))
    }

    pub(super) async fn create(&self, name: &str, state: &ScheduleState) -> Result<()> {
        let (window, target) = (&off()?, &target(state)?);
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.scheduler
                .create_schedule()
                .name(name)
                .schedule_expression(&state.expression)
                .flexible_time_window(window.clone())
                .target(target.clone())
                .send()
                .await
                .map_err(aws_error("CreateSchedule"))
        })
        .await?;
        Ok(())
    }

    pub(super) async fn update(&self, name: &str, state: &ScheduleState) -> Result<()> {
        // UpdateSchedule replaces every field (EventBridge Scheduler API reference, UpdateSchedule).
        let (window, target) = (&off()?, &target(state)?);
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.scheduler
                .update_schedule()
                .name(name)
                .schedule_expression(&state.expression)
                .flexible_time_window(window.clone())
                .target(target.clone())
                .send()
                .await
                .map_err(aws_error("UpdateSchedule"))
        })
        .await?;
        Ok(())
    }

    pub(super) async fn delete(&self, name: &str) -> Result<bool> {
        let deleted = self.scheduler.delete_schedule().name(name).send().await;
        let deleted = deleted.map_err(aws_error("DeleteSchedule"));
        let deleted = found(deleted, &["ResourceNotFoundException"])?;
        Ok(deleted.is_some())
    }
}

fn off() -> Result<FlexibleTimeWindow> {
    Ok(FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()?)
}

fn target(state: &ScheduleState) -> Result<Target> {
    Ok(Target::builder()
        .arn(&state.target_arn)
        .role_arn(&state.role_arn)
        .input("{}")
        .build()?)
}
