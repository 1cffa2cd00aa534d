"""Resources that stay busy for a while after a change, refusing the next change until they are done:
a Lambda function being created or updated, an RDS cluster or instance being created or modified, a
Cloud Map service whose instances ECS has not deregistered yet. "A while" is the next K calls of
principals under test that touch the resource."""

import json
import re
from xml.dom import minidom

import moto_state
from aws_wire import AwsError
from layer import Behaviour, Countdown

IN_PROGRESS = "The function is being created."


class LambdaUpdates(Behaviour):
    """After CreateFunction, UpdateFunctionCode or UpdateFunctionConfiguration, the function is busy
    for the next K calls that touch it:

    - after a create it is `State: Pending` (GetFunction / GetFunctionConfiguration, and the
      CreateFunction answer itself), and UpdateFunctionCode, UpdateFunctionConfiguration,
      PublishVersion and Invoke answer ResourceConflictException (409) "The operation cannot be
      performed at this time. The function is currently in the following state: Pending";
    - after an update it reports `LastUpdateStatus: InProgress`, and the same changes (not Invoke,
      which runs the previous code) answer ResourceConflictException "The operation cannot be
      performed at this time. An update is in progress for resource: <arn>".

    Sources: Lambda developer guide, "Lambda function states" (Pending after create: "Any invocations
    or other API actions that operate on the function will fail"; LastUpdateStatus InProgress during
    an update) and "Troubleshoot invocation issues" (the Pending error, word for word: "During this
    time, you can't invoke or modify your function"); the update error's wording:
    ansible-collections/community.aws#830 (UpdateFunctionCode right after
    UpdateFunctionConfiguration); motdotla/node-lambda#575 (LastUpdateStatus InProgress right after
    an update); appleboy/lambda-action#58 (LastUpdateStatusReason "The function is being created.",
    ReasonCode "Creating", while an update of an existing function runs).
    """

    name = "lambda_updates"
    default_calls = 2
    REFUSED = ("UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "Invoke")
    REPORTED = ("GetFunction", "GetFunctionConfiguration")

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.busy = Countdown()  # function names
        self.creating = set()  # those of them still being created (State: Pending)

    def after(self, call, answer):
        if call.service != "lambda" or not answer.ok:
            return
        name = call.param("FunctionName")
        if call.operation in ("CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration"):
            self.busy.arm(name, self.calls)
            (self.creating.add if call.operation == "CreateFunction" else self.creating.discard)(name)
            if call.under_test and self.calls:
                # The answer to the change itself already shows the function busy.
                self._report(answer, nested=False, creating=name in self.creating)
        elif call.operation == "DeleteFunction":
            self.busy.forget(name)
            self.creating.discard(name)
        elif call.notes.get(self.name) == "report":
            self._report(answer, nested=call.operation == "GetFunction", creating=name in self.creating)
            self.reported("State: Pending" if name in self.creating else "LastUpdateStatus: InProgress")

    @staticmethod
    def _report(answer, nested, creating):
        body = answer.json()
        configuration = body.get("Configuration", {}) if nested else body
        if creating:
            configuration.update(State="Pending", StateReason=IN_PROGRESS, StateReasonCode="Creating")
            configuration.pop("LastUpdateStatus", None)
        else:
            configuration.update(LastUpdateStatus="InProgress", LastUpdateStatusReason=IN_PROGRESS,
                                 LastUpdateStatusReasonCode="Creating")
        answer.replace(json.dumps(body))

    def before(self, call):
        if call.service != "lambda" or call.operation not in self.REFUSED + self.REPORTED:
            return None
        name = call.param("FunctionName")
        if call.operation == "Invoke" and name not in self.creating:
            return None
        if not self.busy.take(name):
            self.creating.discard(name)
            return None
        if call.operation in self.REPORTED:
            call.notes[self.name] = "report"
            return None
        if name in self.creating:
            reason = "The function is currently in the following state: Pending"
        else:
            function = moto_state.lambda_function(name)
            reason = f"An update is in progress for resource: {function.function_arn if function else name}"
        return self.refuse(AwsError(409, "ResourceConflictException",
                                    f"The operation cannot be performed at this time. {reason}"))


def _set_status(body, element, identifier_tag, status_tag, statuses):
    """moto's Describe answer with the status of the elements named in `statuses` replaced, and the
    names of those it found."""
    document = minidom.parseString(body)
    replaced = set()
    for node in document.getElementsByTagName(element):
        children = {child.tagName: child for child in node.childNodes if child.nodeType == child.ELEMENT_NODE}
        identifier = children.get(identifier_tag)
        status = children.get(status_tag)
        name = identifier.firstChild.data if identifier is not None and identifier.firstChild else None
        if name in statuses and status is not None and status.firstChild is not None:
            status.firstChild.data = statuses[name]
            replaced.add(name)
    return document.documentElement.toxml(), replaced


class RdsBusy(Behaviour):
    """After CreateDBCluster, CreateDBInstance, ModifyDBCluster or ModifyDBInstance the cluster or
    instance is busy for the next K calls that touch it: described as `creating` (then
    `backing-up`, its first backup) or `modifying`, and refused with AWS's state errors:

    - DeleteDBCluster: InvalidDBClusterStateFault "DB cluster <id> is not currently in the available
      state." (hashicorp/terraform-provider-aws retries DeleteDBCluster on this code and the words
      from "is not currently"; the words before them are not documented);
    - ModifyDBCluster: InvalidDBClusterStateFault "DB cluster is not available for modification with
      status <status>" (aws-controllers-k8s/community#1107);
    - DeleteDBInstance / ModifyDBInstance: InvalidDBInstanceState "Instance <id> is not in available
      state." (AWS's wording for StopDBInstance in cloud-custodian/cloud-custodian#1687;
      aws-controllers-k8s/rds-controller#58: for DBInstance operations "InvalidDBInstanceState goes
      away when DBInstance moves into correct state").

    Statuses: Aurora user guide, "Viewing DB cluster status" and RDS user guide, "Viewing Amazon RDS DB
    instance status" (creating, backing-up, modifying, available).
    """

    name = "rds_busy"
    default_calls = 2

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.clusters = Countdown()
        self.instances = Countdown()
        self.statuses = {}  # ("cluster"|"instance", id) -> the statuses still to report, in order

    def _forget(self, kind, identifier):
        (self.clusters if kind == "cluster" else self.instances).forget(identifier)
        self.statuses.pop((kind, identifier), None)

    def _arm(self, kind, identifier, statuses):
        (self.clusters if kind == "cluster" else self.instances).arm(identifier, len(statuses))
        self.statuses[(kind, identifier)] = statuses

    def _take(self, kind, identifier):
        """The status to report now, or None when the resource is not busy (any more)."""
        if not (self.clusters if kind == "cluster" else self.instances).take(identifier):
            self.statuses.pop((kind, identifier), None)
            return None
        return self.statuses[(kind, identifier)].pop(0)

    def after(self, call, answer):
        if call.service != "rds":
            return
        if answer.ok and call.operation in ("CreateDBCluster", "CreateDBInstance", "ModifyDBCluster", "ModifyDBInstance"):
            kind = "cluster" if "Cluster" in call.operation else "instance"
            identifier = call.param("DBClusterIdentifier" if kind == "cluster" else "DBInstanceIdentifier")
            if call.operation.startswith("Create"):
                # A new cluster or instance takes its first backup before it is available.
                statuses = ["creating"] * (self.calls - 1) + ["backing-up"] if self.calls > 1 else ["creating"] * self.calls
            else:
                statuses = ["modifying"] * self.calls
            self._arm(kind, identifier, statuses)
        elif answer.ok and call.operation in ("DeleteDBCluster", "DeleteDBInstance"):
            kind = "cluster" if "Cluster" in call.operation else "instance"
            self._forget(kind, call.param("DBClusterIdentifier" if kind == "cluster" else "DBInstanceIdentifier"))
        elif answer.ok and self.name in call.notes:
            element, identifier_tag, status_tag = (
                ("DBCluster", "DBClusterIdentifier", "Status") if call.operation == "DescribeDBClusters"
                else ("DBInstance", "DBInstanceIdentifier", "DBInstanceStatus"))
            statuses = call.notes[self.name]
            body, replaced = _set_status(answer.body, element, identifier_tag, status_tag, statuses)
            answer.replace(body)
            for name in replaced:
                self.reported(statuses[name])

    def before(self, call):
        if call.service != "rds":
            return None
        operation = call.operation
        if operation in ("DescribeDBClusters", "DescribeDBInstances"):
            kind = "cluster" if operation == "DescribeDBClusters" else "instance"
            busy = self.clusters if kind == "cluster" else self.instances
            asked = call.param("DBClusterIdentifier" if kind == "cluster" else "DBInstanceIdentifier")
            statuses = {}
            for identifier in list(busy.left):
                if asked in (None, identifier):
                    status = self._take(kind, identifier)
                    if status:
                        statuses[identifier] = status
            if statuses:
                call.notes[self.name] = statuses
            return None
        if operation in ("DeleteDBCluster", "ModifyDBCluster"):
            identifier = call.param("DBClusterIdentifier")
            status = self._take("cluster", identifier)
            if status is None:
                return None
            if operation == "DeleteDBCluster":
                message = f"DB cluster {identifier} is not currently in the available state."
            else:
                message = f"DB cluster is not available for modification with status {status}"
            return self.refuse(AwsError(400, "InvalidDBClusterStateFault", message))
        if operation in ("DeleteDBInstance", "ModifyDBInstance"):
            identifier = call.param("DBInstanceIdentifier")
            if self._take("instance", identifier) is None:
                return None
            return self.refuse(AwsError(400, "InvalidDBInstanceState", f"Instance {identifier} is not in available state."))
        return None


class CloudMapInUse(Behaviour):
    """Cloud Map refuses to delete what still holds something, with ResourceInUse (400):

    - DeleteService while instances are registered: "Service contains registered instances; delete the
      instances before deleting the service". moto never refuses it; and ECS deregisters a deleted
      service's tasks from Cloud Map only as they stop, so for the next K DeleteService calls after an
      ECS service that registered into it was deleted, the Cloud Map service still holds them
      (hashicorp/terraform#18264, hashicorp/terraform-provider-aws#4853).
    - DeleteNamespace while services are in it: "Namespace has associated services; delete the
      services before deleting the namespace" (Cloud Map API reference, DeleteNamespace: "If the
      namespace still contains one or more services, the request fails"; the wording as AWS answers it
      is quoted in public Terraform logs). moto never refuses it either.
    """

    name = "cloudmap_in_use"
    default_calls = 2
    SERVICE_ID = re.compile(r":service/(srv-[A-Za-z0-9]+)$")

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.draining = Countdown()  # Cloud Map service ids

    def after(self, call, answer):
        if (call.service, call.operation) == ("ecs", "DeleteService") and answer.ok:
            for registry in answer.json().get("service", {}).get("serviceRegistries") or []:
                match = self.SERVICE_ID.search(registry.get("registryArn", ""))
                if match:
                    self.draining.arm(match.group(1), self.calls)

    def before(self, call):
        if call.service != "servicediscovery":
            return None
        if call.operation == "DeleteService":
            service_id = call.param("Id")
            service = moto_state.cloud_map_service(service_id)
            if service is not None and (service.instances or self.draining.take(service_id)):
                return self.refuse(AwsError(
                    400, "ResourceInUse",
                    "Service contains registered instances; delete the instances before deleting the service"))
        elif call.operation == "DeleteNamespace":
            if moto_state.cloud_map_services_in(call.param("Id")):
                return self.refuse(AwsError(
                    400, "ResourceInUse",
                    "Namespace has associated services; delete the services before deleting the namespace"))
        return None
