"""ElastiCache Serverless caches and user groups, which moto 5.2.5 does not implement at all (its
ElastiCache answers neither CreateServerlessCache nor CreateUserGroup).

What AWS does, from the ElastiCache API reference (CreateServerlessCache, DescribeServerlessCaches,
ModifyServerlessCache, DeleteServerlessCache, CreateUserGroup, DescribeUserGroups, DeleteUserGroup,
and the ServerlessCache and UserGroup data types), and what is answered here:

- CreateServerlessCache needs `ServerlessCacheName` and `Engine` (valkey, redis or memcached); the name
  is stored in lowercase. A name in use is ServerlessCacheAlreadyExistsFault; a `UserGroupId` that does
  not exist is UserGroupNotFound. The cache starts `creating`; its endpoint is
  `<name>-<id>.serverless.<region short>.cache.amazonaws.com` on port 6379 and the reader endpoint the
  same address on 6380 (ElastiCache user guide, "Connecting to a serverless cache": reads from
  replicas on port 6380). Data at rest is always encrypted (the given `KmsKeyId`, else the service's
  key: `StorageEncryptionType`), and so is transit: there is no switch for either.
- States, counted in describes rather than seconds (as this emulator does for RDS): a cache is
  `creating` for the first DescribeServerlessCaches that shows it, then `available`; after a
  modification `modifying` for one describe; after DeleteServerlessCache `deleting` for one describe,
  then gone (ServerlessCacheNotFoundFault). Modifying or deleting a cache that is not `available` is
  InvalidServerlessCacheStateFault, as AWS answers while it is busy.
- ModifyServerlessCache changes the usage limits, the security groups, the description and the user
  group (`UserGroupId`, or `RemoveUserGroup`).
- User groups (Valkey/Redis RBAC, the only login a serverless Valkey cache offers besides IAM): a group
  must hold a user whose name is `default` (DefaultUserRequired), its users must exist (UserNotFound),
  an id in use is UserGroupAlreadyExists; DeleteUserGroup of a group a cache uses is
  InvalidUserGroupState. A group is `creating` for the first DescribeUserGroups that shows it, then
  `active` (CreateUserGroup answers `creating`); CreateServerlessCache with a group that is not
  `active` is InvalidUserGroupState, "The user group is not in an active state".
- Tags: ListTagsForResource, AddTagsToResource and RemoveTagsFromResource take the caches' and user
  groups' ARNs (moto's own ARN check knows neither kind).
"""

from __future__ import annotations

import datetime
import hashlib
import re

# The engines CreateServerlessCache accepts, and the major version each gets when none is asked for
# (ElastiCache user guide, "Supported engines and versions" for serverless caches).
DEFAULT_MAJOR_VERSIONS = {"valkey": "8", "redis": "7", "memcached": "1.6"}
FULL_VERSIONS = {"valkey": {"7": "7.2", "8": "8.0"}, "redis": {"7": "7.1"}, "memcached": {"1.6": "1.6.22"}}
PRIMARY_PORT = 6379
READER_PORT = 6380


def _region_code(region: str) -> str:
    """us-west-2 -> usw2, as serverless cache endpoints abbreviate the Region."""
    area, direction, number = region.split("-")
    return f"{area}{direction[0]}{number}"


def _state(backend) -> tuple[dict, dict]:
    if not hasattr(backend, "serverless_caches"):
        backend.serverless_caches = {}
        backend.user_groups = {}
    return backend.serverless_caches, backend.user_groups


def _shown(cache: dict) -> dict:
    """What a describe answers for `cache`, moving it one step along its lifecycle (module doc)."""
    status = cache["Status"]
    following = {"creating": "available", "modifying": "available"}.get(status)
    answer = {key: value for key, value in cache.items() if not key.startswith("_")}
    if following is not None:
        cache["Status"] = following
    elif status == "deleting":
        cache["_gone"] = True
    return answer


def patch() -> None:
    """Adds the operations to moto's ElastiCache (see the module's doc)."""
    from moto.core.responses import ActionResult
    from moto.elasticache.exceptions import (
        ElastiCacheException,
        InvalidParameterValueException,
        UserNotFound,
    )
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    class ServerlessCacheNotFound(ElastiCacheException):
        code = "ServerlessCacheNotFoundFault"

    class ServerlessCacheAlreadyExists(ElastiCacheException):
        code = "ServerlessCacheAlreadyExistsFault"

    class InvalidServerlessCacheState(ElastiCacheException):
        code = "InvalidServerlessCacheStateFault"

    class UserGroupNotFound(ElastiCacheException):
        code = "UserGroupNotFound"

    class UserGroupAlreadyExists(ElastiCacheException):
        code = "UserGroupAlreadyExists"

    class InvalidUserGroupState(ElastiCacheException):
        code = "InvalidUserGroupState"

    class DefaultUserRequired(ElastiCacheException):
        code = "DefaultUserRequired"

    def arn(self, kind: str, name: str) -> str:
        backend = self.elasticache_backend
        return f"arn:aws:elasticache:{self.region}:{backend.account_id}:{kind}:{name}"

    def tag(self, resource_arn: str, tags) -> None:
        if tags:
            self.elasticache_backend.tagging_service.tag_resource(resource_arn, tags)

    def present(backend, name: str) -> dict:
        caches, _ = _state(backend)
        cache = caches.get(name)
        if cache is None or cache.get("_gone"):
            caches.pop(name, None)
            raise ServerlessCacheNotFound(f"Serverless cache {name} not found.")
        return cache

    def group_in_use(backend, group_id: str) -> bool:
        caches, _ = _state(backend)
        return any(cache.get("UserGroupId") == group_id and not cache.get("_gone") for cache in caches.values())

    def create_serverless_cache(self):
        backend = self.elasticache_backend
        caches, groups = _state(backend)
        name = (self._get_param("ServerlessCacheName") or "").lower()
        engine = self._get_param("Engine")
        if not name:
            raise InvalidParameterValueException("The parameter ServerlessCacheName must be provided.")
        if engine not in DEFAULT_MAJOR_VERSIONS:
            raise InvalidParameterValueException(
                f"Engine {engine} is not supported for serverless caches: valkey, redis or memcached.")
        if name in caches and not caches[name].get("_gone"):
            raise ServerlessCacheAlreadyExists(f"Serverless cache {name} already exists.")
        group_id = self._get_param("UserGroupId")
        if group_id and group_id not in groups:
            raise UserGroupNotFound(f"User group {group_id} not found.")
        if group_id and groups[group_id]["Status"] != "active":
            raise InvalidUserGroupState("The user group is not in an active state.")
        major = self._get_param("MajorEngineVersion") or DEFAULT_MAJOR_VERSIONS[engine]
        full = FULL_VERSIONS[engine].get(major)
        if full is None:
            raise InvalidParameterValueException(f"Major engine version {major} is not supported for {engine}.")
        suffix = hashlib.sha256(f"{backend.account_id}/{name}".encode()).hexdigest()[:6]
        address = f"{name}-{suffix}.serverless.{_region_code(self.region)}.cache.amazonaws.com"
        kms_key = self._get_param("KmsKeyId")
        cache = {
            "ServerlessCacheName": name,
            "Description": self._get_param("Description") or "",
            "CreateTime": datetime.datetime.now(datetime.timezone.utc),
            "Status": "creating",
            "Engine": engine,
            "MajorEngineVersion": major,
            "FullEngineVersion": full,
            "CacheUsageLimits": self._get_param("CacheUsageLimits"),
            "KmsKeyId": kms_key,
            "StorageEncryptionType": "customer-managed-kms-key" if kms_key else "service-managed-kms-key",
            "SecurityGroupIds": self._get_param("SecurityGroupIds") or [],
            "Endpoint": {"Address": address, "Port": PRIMARY_PORT},
            "ReaderEndpoint": {"Address": address, "Port": READER_PORT},
            "ARN": arn(self, "serverlesscache", name),
            "UserGroupId": group_id,
            "SubnetIds": self._get_param("SubnetIds") or [],
            "SnapshotRetentionLimit": self._get_param("SnapshotRetentionLimit") or 0,
            "DailySnapshotTime": self._get_param("DailySnapshotTime"),
        }
        caches[name] = {key: value for key, value in cache.items() if value is not None}
        tag(self, cache["ARN"], self._get_param("Tags"))
        return ActionResult({"ServerlessCache": dict(caches[name])})

    def describe_serverless_caches(self):
        backend = self.elasticache_backend
        caches, _ = _state(backend)
        name = self._get_param("ServerlessCacheName")
        if name:
            listed = [_shown(present(backend, name.lower()))]
        else:
            for gone in [key for key, cache in caches.items() if cache.get("_gone")]:
                del caches[gone]
            listed = [_shown(cache) for cache in caches.values()]
        return ActionResult({"ServerlessCaches": listed})

    def modify_serverless_cache(self):
        backend = self.elasticache_backend
        _, groups = _state(backend)
        name = (self._get_param("ServerlessCacheName") or "").lower()
        cache = present(backend, name)
        if cache["Status"] != "available":
            raise InvalidServerlessCacheState(f"Serverless cache {name} is not in the available state ({cache['Status']}).")
        group_id = self._get_param("UserGroupId")
        if group_id and group_id not in groups:
            raise UserGroupNotFound(f"User group {group_id} not found.")
        if self._get_bool_param("RemoveUserGroup"):
            cache.pop("UserGroupId", None)
        elif group_id:
            cache["UserGroupId"] = group_id
        for key in ("Description", "CacheUsageLimits", "SecurityGroupIds", "SnapshotRetentionLimit", "DailySnapshotTime"):
            value = self._get_param(key)
            if value is not None:
                cache[key] = value
        cache["Status"] = "modifying"
        return ActionResult({"ServerlessCache": {key: value for key, value in cache.items() if not key.startswith("_")}})

    def delete_serverless_cache(self):
        backend = self.elasticache_backend
        name = (self._get_param("ServerlessCacheName") or "").lower()
        cache = present(backend, name)
        if cache["Status"] != "available":
            raise InvalidServerlessCacheState(f"Serverless cache {name} is not in the available state ({cache['Status']}).")
        cache["Status"] = "deleting"
        backend.tagging_service.delete_all_tags_for_resource(cache["ARN"])
        return ActionResult({"ServerlessCache": {key: value for key, value in cache.items() if not key.startswith("_")}})

    def user_group(self, group: dict) -> dict:
        return {key: value for key, value in group.items() if not key.startswith("_")}

    def create_user_group(self):
        backend = self.elasticache_backend
        _, groups = _state(backend)
        group_id = self._get_param("UserGroupId")
        if group_id in groups:
            raise UserGroupAlreadyExists(f"User group {group_id} already exists.")
        user_ids = self._get_param("UserIds") or []
        names = []
        for user_id in user_ids:
            user = backend.users.get(user_id)
            if user is None:
                raise UserNotFound(user_id)
            names.append(user.name)
        if "default" not in names:
            raise DefaultUserRequired("A user group must hold a user named default.")
        group = {
            "UserGroupId": group_id,
            # CreateUserGroup answers `creating`; the first describe that shows it moves it on.
            "Status": "creating",
            "Engine": self._get_param("Engine"),
            "UserIds": user_ids,
            "MinimumEngineVersion": "6.0",
            "ARN": arn(self, "usergroup", group_id),
        }
        groups[group_id] = group
        tag(self, group["ARN"], self._get_param("Tags"))
        return ActionResult(user_group(self, group))

    def describe_user_groups(self):
        backend = self.elasticache_backend
        _, groups = _state(backend)
        group_id = self._get_param("UserGroupId")
        if group_id and group_id not in groups:
            raise UserGroupNotFound(f"User group {group_id} not found.")
        listed = [groups[group_id]] if group_id else list(groups.values())
        shown = [user_group(self, group) for group in listed]
        for group in listed:
            if group["Status"] == "creating":
                group["Status"] = "active"
        for group, answer in zip(listed, shown):
            answer["ServerlessCaches"] = [
                name for name, cache in _state(backend)[0].items()
                if cache.get("UserGroupId") == group["UserGroupId"] and not cache.get("_gone")
            ]
        return ActionResult({"UserGroups": shown})

    def delete_user_group(self):
        backend = self.elasticache_backend
        _, groups = _state(backend)
        group_id = self._get_param("UserGroupId")
        if group_id not in groups:
            raise UserGroupNotFound(f"User group {group_id} not found.")
        if group_in_use(backend, group_id):
            raise InvalidUserGroupState(f"User group {group_id} is in use by a serverless cache.")
        group = groups.pop(group_id)
        group["Status"] = "deleting"
        backend.tagging_service.delete_all_tags_for_resource(group["ARN"])
        return ActionResult(user_group(self, group))

    ElastiCacheResponse.create_serverless_cache = create_serverless_cache
    ElastiCacheResponse.describe_serverless_caches = describe_serverless_caches
    ElastiCacheResponse.modify_serverless_cache = modify_serverless_cache
    ElastiCacheResponse.delete_serverless_cache = delete_serverless_cache
    ElastiCacheResponse.create_user_group = create_user_group
    ElastiCacheResponse.describe_user_groups = describe_user_groups
    ElastiCacheResponse.delete_user_group = delete_user_group

    # Tags on both kinds: moto checks an ARN against the kinds it knows before listing its tags.
    known = ElastiCacheBackend.__init__

    def init(self, *args, **kwargs):
        known(self, *args, **kwargs)
        self.arn_regex = re.compile(
            r"^arn:aws:elasticache:.*:[0-9]*:(cluster|snapshot|subnetgroup|replicationgroup|user|serverlesscache|usergroup):.*$"
        )

    ElastiCacheBackend.__init__ = init
