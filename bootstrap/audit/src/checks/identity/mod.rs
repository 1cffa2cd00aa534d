//! Secrets, keys, IAM, logs, certificates, alarms and repositories.

mod alarms;
mod certificates;
mod keys;
mod logs;
mod policy;
mod repositories;
mod roles;
mod secrets;

use super::Control;
use alarms::alarm_actions;
use certificates::key_algorithm;
use keys::{key_rotation, no_open_principal};
use logs::log_groups;
use repositories::repositories;
use roles::{no_wildcards, pass_role_scoped};
use secrets::{readers_only, rotation, rotation_period, secrets_customer_key};

pub(crate) const CONTROLS: [Control; 12] = [
    (
        "SecretsManager.1",
        "fsbp-secretsmanager-1-rotation",
        rotation,
    ),
    (
        "SecretsManager.4",
        "fsbp-secretsmanager-4-rotation-period",
        rotation_period,
    ),
    (
        "CKV_AWS_149",
        "ckv-aws-149-secrets-customer-key",
        secrets_customer_key,
    ),
    ("SECRET-READERS", "secret-readers-only", readers_only),
    ("KMS.4", "fsbp-kms-4-key-rotation", key_rotation),
    ("KMS.5", "fsbp-kms-5-no-open-principal", no_open_principal),
    ("IAM.1", "fsbp-iam-1-no-wildcards", no_wildcards),
    ("PassRole", "cfn-nag-f38-passrole-scoped", pass_role_scoped),
    ("LOGS", "ckv-aws-66-158-log-groups", log_groups),
    ("ACM.2", "fsbp-acm-2-key-algorithm", key_algorithm),
    (
        "CloudWatch.15/17",
        "fsbp-cloudwatch-15-17-alarm-actions",
        alarm_actions,
    ),
    ("ECR.1/2/3", "fsbp-ecr-1-2-3-repositories", repositories),
];
