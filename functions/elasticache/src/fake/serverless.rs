//! [`ServerlessCalls`] in memory, answering as ElastiCache does (API reference of each call): a
//! name or id in use is refused, a cache is deleted only while `available`, a user group must hold
//! a user named `default` and is kept while a cache uses it, even one still deleting.

use super::{ElastiCacheWorld, FakeElastiCache};
use crate::{
    CacheUser, CallResult, GroupState, ServerlessCache, ServerlessCalls, ServerlessPlan, UserGroup,
    UserPlan,
};
use env_core::error::aws_failure;
use env_core::tags::Tag;

impl ElastiCacheWorld {
    /// ElastiCache finishes what it was doing with the serverless caches and users: creating →
    /// available with the endpoint, deleting → gone.
    pub(super) fn settle_serverless(&mut self) {
        self.serverless_caches
            .retain(|_, (cache, _)| cache.state() != GroupState::Deleting);
        for (cache, _) in self.serverless_caches.values_mut() {
            cache.status = "available".to_owned();
            cache.endpoint = Some((
                format!("{}-abc123.serverless.usw2.cache.amazonaws.com", cache.name),
                6379,
            ));
        }
        self.users.retain(|_, (user, _)| !user.deleting());
        for (group, _) in self.user_groups.values_mut() {
            if group.status != "deleting" {
                group.status = "active".to_owned();
            }
        }
    }

    /// The user group `id` goes to `status`, as time passing in AWS would.
    pub fn user_group_status(&mut self, id: &str, status: &str) {
        if let Some((group, _)) = self.user_groups.get_mut(id) {
            group.status = status.to_owned();
        }
    }

    /// The serverless cache `name` goes to `status`, as time passing in AWS would.
    pub fn serverless_status(&mut self, name: &str, status: &str) {
        if let Some((cache, _)) = self.serverless_caches.get_mut(name) {
            cache.status = status.to_owned();
        }
    }

    /// The caches that use the user group `id`, deleting ones included.
    fn caches_using(&self, id: &str) -> Vec<String> {
        self.serverless_caches
            .values()
            .filter(|(cache, _)| cache.user_group.as_deref() == Some(id))
            .map(|(cache, _)| cache.name.clone())
            .collect()
    }
}

impl ServerlessCalls for FakeElastiCache {
    async fn serverless_cache(&self, name: &str) -> CallResult<Option<ServerlessCache>> {
        let world = self.read("DescribeServerlessCaches")?;
        Ok(world
            .serverless_caches
            .get(name)
            .map(|(cache, _)| cache.clone()))
    }

    async fn create_serverless_cache(&self, plan: &ServerlessPlan) -> CallResult<()> {
        let operation = "CreateServerlessCache";
        let mut world = self.write(operation)?;
        if world.serverless_caches.contains_key(&plan.name) {
            return Err(aws_failure(operation, "ServerlessCacheAlreadyExistsFault"));
        }
        match world.user_groups.get(&plan.user_group) {
            None => return Err(aws_failure(operation, "UserGroupNotFound")),
            // "The user group is not in an active state" (API reference, CreateServerlessCache).
            Some((group, _)) if group.status != "active" => {
                return Err(aws_failure(operation, "InvalidUserGroupState"))
            }
            Some(_) => {}
        }
        let cache = ServerlessCache {
            name: plan.name.clone(),
            status: "creating".to_owned(),
            endpoint: None,
            user_group: Some(plan.user_group.clone()),
        };
        world
            .serverless_caches
            .insert(plan.name.clone(), (cache, plan.clone()));
        Ok(())
    }

    async fn delete_serverless_cache(&self, name: &str) -> CallResult<()> {
        let operation = "DeleteServerlessCache";
        let mut world = self.write(operation)?;
        let Some((cache, _)) = world.serverless_caches.get_mut(name) else {
            return Err(aws_failure(operation, "ServerlessCacheNotFoundFault"));
        };
        if cache.state() != GroupState::Available {
            return Err(aws_failure(operation, "InvalidServerlessCacheStateFault"));
        }
        cache.status = "deleting".to_owned();
        Ok(())
    }

    async fn user(&self, id: &str) -> CallResult<Option<CacheUser>> {
        let world = self.read("DescribeUsers")?;
        Ok(world.users.get(id).map(|(user, _)| user.clone()))
    }

    async fn create_user(&self, plan: &UserPlan) -> CallResult<()> {
        let operation = "CreateUser";
        let mut world = self.write(operation)?;
        if world.users.contains_key(&plan.id) {
            return Err(aws_failure(operation, "UserAlreadyExists"));
        }
        let user = CacheUser {
            id: plan.id.clone(),
            name: plan.name.clone(),
            status: "active".to_owned(),
        };
        world.users.insert(plan.id.clone(), (user, plan.clone()));
        Ok(())
    }

    async fn delete_user(&self, id: &str) -> CallResult<()> {
        let operation = "DeleteUser";
        let mut world = self.write(operation)?;
        let Some((user, _)) = world.users.get_mut(id) else {
            return Err(aws_failure(operation, "UserNotFound"));
        };
        user.status = "deleting".to_owned();
        Ok(())
    }

    async fn user_group(&self, id: &str) -> CallResult<Option<UserGroup>> {
        let world = self.read("DescribeUserGroups")?;
        let caches = world.caches_using(id);
        Ok(world.user_groups.get(id).map(|(group, _)| UserGroup {
            serverless_caches: caches,
            ..group.clone()
        }))
    }

    async fn create_user_group(
        &self,
        id: &str,
        _engine: &str,
        user_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        let operation = "CreateUserGroup";
        let mut world = self.write(operation)?;
        if world.user_groups.contains_key(id) {
            return Err(aws_failure(operation, "UserGroupAlreadyExists"));
        }
        let mut names = Vec::new();
        for user_id in user_ids {
            let Some((user, _)) = world.users.get(user_id) else {
                return Err(aws_failure(operation, "UserNotFound"));
            };
            names.push(user.name.as_str());
        }
        if !names.contains(&"default") {
            return Err(aws_failure(operation, "DefaultUserRequired"));
        }
        let group = UserGroup {
            id: id.to_owned(),
            status: "creating".to_owned(),
            user_ids: user_ids.to_vec(),
            serverless_caches: Vec::new(),
        };
        world
            .user_groups
            .insert(id.to_owned(), (group, tags.to_vec()));
        Ok(())
    }

    async fn delete_user_group(&self, id: &str) -> CallResult<()> {
        let operation = "DeleteUserGroup";
        let mut world = self.write(operation)?;
        if !world.user_groups.contains_key(id) {
            return Err(aws_failure(operation, "UserGroupNotFound"));
        }
        if !world.caches_using(id).is_empty() {
            return Err(aws_failure(operation, "InvalidUserGroupState"));
        }
        world.user_groups.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
