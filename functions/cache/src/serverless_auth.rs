//! Who may log in to the serverless cache: a user group (Valkey's role-based access control, the
//! password login a serverless Valkey cache offers) holding one user, named `default`, whose
//! password is the token the secret holds. A client's `AUTH <token>` logs in as `default`, so the
//! service connects exactly as it does to the cluster's AUTH token. Every user group needs a user
//! named `default` (API reference, CreateUserGroup: DefaultUserRequired); ElastiCache's own
//! `default` user (id `default`) logs in without a password, so this environment's replaces it.
//! User and user group ids are unique in the account and Region: both carry the suffix.

use crate::api::{CallResult, Cloud, Sensitive, ServerlessCalls, UserPlan};
use crate::inputs::Inputs;
use crate::serverless::ENGINE;
use env_core::context::Context;
use env_core::naming::NameKind;

/// The user name `AUTH <password>` logs in as (Valkey's `AUTH` with one argument).
pub const USER_NAME: &str = "default";
/// Every key, every channel, every command: what the cluster's AUTH token allows, which the
/// application needs unchanged (ElastiCache user guide, "Role-Based Access Control": access
/// strings follow Valkey's ACL syntax).
pub const ACCESS_STRING: &str = "on ~* &* +@all";

/// The user group the cache logs its clients in through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    /// Only an `active` group may be given to CreateServerlessCache: one still `creating` (as
    /// CreateUserGroup leaves it) or `modifying` (as a cache's deletion can leave it) is refused
    /// with InvalidUserGroupState, "The user group is not in an active state" (ElastiCache API
    /// reference, CreateServerlessCache and `UserGroup.Status`).
    pub active: bool,
}

/// The user group once it and its user exist, making whichever is missing; `None` while one of
/// the same id is still being deleted (an id in use is refused until it is gone).
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C, Inputs>,
    password: Sensitive,
) -> CallResult<Option<Group>> {
    let elasticache = cx.cloud.elasticache();
    let user_id = cx.names.of(NameKind::CacheUser);
    match elasticache.user(&user_id).await? {
        Some(user) if user.deleting() => return Ok(None),
        Some(_) => {}
        None => {
            let plan = UserPlan {
                id: user_id.clone(),
                name: USER_NAME.to_owned(),
                engine: ENGINE,
                access_string: ACCESS_STRING,
                password,
                tags: cx.tags.clone(),
            };
            elasticache.create_user(&plan).await?;
        }
    }
    let group_id = cx.names.of(NameKind::CacheUserGroup);
    let active = match elasticache.user_group(&group_id).await? {
        Some(group) if group.deleting() => return Ok(None),
        Some(group) => group.status == ACTIVE,
        None => {
            elasticache
                .create_user_group(&group_id, ENGINE, &[user_id], &cx.tags)
                .await?;
            // CreateUserGroup answers it `creating`: described again on the next call.
            false
        }
    };
    Ok(Some(Group {
        id: group_id,
        active,
    }))
}

/// The status of a user group the cache can be made with (API reference, `UserGroup.Status`).
const ACTIVE: &str = "active";

/// Whether the user exists, deleting or not.
pub async fn user_exists<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let user = cx
        .cloud
        .elasticache()
        .user(&cx.names.of(NameKind::CacheUser))
        .await?;
    Ok(user.is_some())
}

/// Whether the user or the user group exists, deleting or not.
pub async fn exists<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let elasticache = cx.cloud.elasticache();
    let group = elasticache
        .user_group(&cx.names.of(NameKind::CacheUserGroup))
        .await?;
    if group.is_some() {
        return Ok(true);
    }
    let user = elasticache.user(&cx.names.of(NameKind::CacheUser)).await?;
    Ok(user.is_some())
}

/// Deletes the user group, then the user; whether both are gone. A group is refused while a cache
/// uses it, even one still deleting (API reference, DeleteUserGroup: InvalidUserGroupState), and a
/// user while a group being deleted still holds it (DeleteUser: InvalidUserState): each is asked
/// again on the next call.
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let elasticache = cx.cloud.elasticache();
    let group_id = cx.names.of(NameKind::CacheUserGroup);
    if let Some(group) = elasticache.user_group(&group_id).await? {
        if group.deleting() {
            return Ok(false);
        }
        match elasticache.delete_user_group(&group_id).await {
            Err(error) if error.is_code("InvalidUserGroupState") => return Ok(false),
            Err(error) if error.is_code("UserGroupNotFound") => {}
            result => result?,
        }
    }
    let user_id = cx.names.of(NameKind::CacheUser);
    let Some(user) = elasticache.user(&user_id).await? else {
        return Ok(true);
    };
    if !user.deleting() {
        match elasticache.delete_user(&user_id).await {
            Err(error) if error.is_code("InvalidUserState") => {}
            Err(error) if error.is_code("UserNotFound") => {}
            result => result?,
        }
    }
    Ok(false)
}
