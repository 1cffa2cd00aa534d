"""serverless_cache.py: ElastiCache Serverless caches and user groups as the API reference describes
them, through a launched emulator and boto3 (as the functions' SDK calls reach it)."""

import unittest

import botocore.exceptions

from test_local_rotation import Launched


class ServerlessCaches(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Launched("--postgres", "none")
        cls.elasticache = cls.emulator.client("elasticache")

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def error(self, call, **kwargs) -> str:
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call(**kwargs)
        return raised.exception.response["Error"]["Code"]

    def describe(self, name: str) -> dict:
        return self.elasticache.describe_serverless_caches(ServerlessCacheName=name)["ServerlessCaches"][0]

    def test_a_cache_is_created_available_modified_and_deleted_as_elasticache_answers(self):
        created = self.elasticache.create_serverless_cache(
            ServerlessCacheName="Valkey-PR-1", Engine="valkey", KmsKeyId="arn:aws:kms:us-west-2:123456789012:key/k",
            SecurityGroupIds=["sg-1"], SubnetIds=["subnet-1", "subnet-2"],
            CacheUsageLimits={"DataStorage": {"Maximum": 1, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 1000}},
            Tags=[{"Key": "catalog:environment", "Value": "pr-1"}],
        )["ServerlessCache"]
        # Stored in lowercase, creating, a TLS endpoint in the Region's short form and a reader port.
        self.assertEqual(created["ServerlessCacheName"], "valkey-pr-1")
        self.assertEqual(created["Status"], "creating")
        self.assertEqual((created["Engine"], created["MajorEngineVersion"], created["FullEngineVersion"]), ("valkey", "8", "8.0"))
        self.assertRegex(created["Endpoint"]["Address"], r"^valkey-pr-1-[0-9a-f]{6}\.serverless\.usw2\.cache\.amazonaws\.com$")
        self.assertEqual((created["Endpoint"]["Port"], created["ReaderEndpoint"]["Port"]), (6379, 6380))
        self.assertEqual(created["StorageEncryptionType"], "customer-managed-kms-key")
        self.assertEqual(created["ARN"], "arn:aws:elasticache:us-west-2:123456789012:serverlesscache:valkey-pr-1")
        tags = self.elasticache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"]
        self.assertEqual(tags, [{"Key": "catalog:environment", "Value": "pr-1"}])

        self.assertEqual(self.error(self.elasticache.create_serverless_cache, ServerlessCacheName="valkey-pr-1", Engine="valkey"),
                         "ServerlessCacheAlreadyExistsFault")
        # Busy while creating: neither changed nor deleted.
        self.assertEqual(self.error(self.elasticache.delete_serverless_cache, ServerlessCacheName="valkey-pr-1"),
                         "InvalidServerlessCacheStateFault")
        self.assertEqual(self.describe("valkey-pr-1")["Status"], "creating")
        self.assertEqual(self.describe("valkey-pr-1")["Status"], "available")

        modified = self.elasticache.modify_serverless_cache(
            ServerlessCacheName="valkey-pr-1", CacheUsageLimits={"ECPUPerSecond": {"Maximum": 2000}})["ServerlessCache"]
        self.assertEqual(modified["Status"], "modifying")
        self.assertEqual(modified["CacheUsageLimits"]["ECPUPerSecond"]["Maximum"], 2000)
        self.assertEqual(self.error(self.elasticache.modify_serverless_cache, ServerlessCacheName="valkey-pr-1", Description="x"),
                         "InvalidServerlessCacheStateFault")
        self.assertEqual(self.describe("valkey-pr-1")["Status"], "modifying")
        self.assertEqual(self.describe("valkey-pr-1")["Status"], "available")

        self.assertEqual(self.elasticache.delete_serverless_cache(ServerlessCacheName="valkey-pr-1")["ServerlessCache"]["Status"], "deleting")
        self.assertEqual(self.describe("valkey-pr-1")["Status"], "deleting")
        self.assertEqual(self.error(self.elasticache.describe_serverless_caches, ServerlessCacheName="valkey-pr-1"),
                         "ServerlessCacheNotFoundFault")
        names = [cache["ServerlessCacheName"] for cache in self.elasticache.describe_serverless_caches()["ServerlessCaches"]]
        self.assertNotIn("valkey-pr-1", names)

    def test_an_engine_or_version_elasticache_has_no_serverless_cache_for_is_refused(self):
        self.assertEqual(self.error(self.elasticache.create_serverless_cache, ServerlessCacheName="c1", Engine="postgres"),
                         "InvalidParameterValue")
        self.assertEqual(self.error(self.elasticache.create_serverless_cache, ServerlessCacheName="c1", Engine="valkey",
                                    MajorEngineVersion="6"), "InvalidParameterValue")
        self.assertEqual(self.error(self.elasticache.modify_serverless_cache, ServerlessCacheName="never-made"),
                         "ServerlessCacheNotFoundFault")

    def test_a_user_group_needs_the_default_user_and_is_kept_while_a_cache_uses_it(self):
        self.elasticache.create_user(UserId="app-pr-2", UserName="app", Engine="valkey",
                                     Passwords=["a-password-of-32-characters-0001"], AccessString="on ~* +@all")
        self.assertEqual(self.error(self.elasticache.create_user_group, UserGroupId="users-pr-2", Engine="valkey",
                                    UserIds=["app-pr-2"]), "DefaultUserRequired")
        self.assertEqual(self.error(self.elasticache.create_user_group, UserGroupId="users-pr-2", Engine="valkey",
                                    UserIds=["default", "nobody"]), "UserNotFound")
        self.assertEqual(self.error(self.elasticache.create_serverless_cache, ServerlessCacheName="c2", Engine="valkey",
                                    UserGroupId="users-pr-2"), "UserGroupNotFound")
        group = self.elasticache.create_user_group(UserGroupId="users-pr-2", Engine="valkey", UserIds=["default", "app-pr-2"],
                                                   Tags=[{"Key": "catalog:environment", "Value": "pr-2"}])
        self.assertEqual((group["Status"], group["UserIds"]), ("creating", ["default", "app-pr-2"]))
        # A group still creating is refused to a new cache (CreateServerlessCache:
        # InvalidUserGroupState); the first describe that shows it finds it active.
        self.assertEqual(self.error(self.elasticache.create_serverless_cache, ServerlessCacheName="c2", Engine="valkey",
                                    UserGroupId="users-pr-2"), "InvalidUserGroupState")
        shown = self.elasticache.describe_user_groups(UserGroupId="users-pr-2")["UserGroups"][0]
        self.assertEqual(shown["Status"], "creating")
        shown = self.elasticache.describe_user_groups(UserGroupId="users-pr-2")["UserGroups"][0]
        self.assertEqual(shown["Status"], "active")
        self.assertEqual(self.error(self.elasticache.create_user_group, UserGroupId="users-pr-2", Engine="valkey",
                                    UserIds=["default"]), "UserGroupAlreadyExists")
        self.assertEqual(self.elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"],
                         [{"Key": "catalog:environment", "Value": "pr-2"}])

        self.elasticache.create_serverless_cache(ServerlessCacheName="c2", Engine="valkey", UserGroupId="users-pr-2")
        listed = self.elasticache.describe_user_groups(UserGroupId="users-pr-2")["UserGroups"][0]
        self.assertEqual(listed["ServerlessCaches"], ["c2"])
        self.assertEqual(self.error(self.elasticache.delete_user_group, UserGroupId="users-pr-2"), "InvalidUserGroupState")
        self.describe("c2")
        self.elasticache.modify_serverless_cache(ServerlessCacheName="c2", RemoveUserGroup=True)
        self.assertNotIn("UserGroupId", self.describe("c2"))
        self.assertEqual(self.elasticache.delete_user_group(UserGroupId="users-pr-2")["Status"], "deleting")
        self.assertEqual(self.error(self.elasticache.describe_user_groups, UserGroupId="users-pr-2"), "UserGroupNotFound")


if __name__ == "__main__":
    unittest.main()
