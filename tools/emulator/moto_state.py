"""Reading and changing moto's own state from the behaviours layer, which runs in moto's process.

Only backends that already exist are looked at: asking a BackendDict for an account or region that
moto has not seen yet would create one.
"""

from moto.core import DEFAULT_ACCOUNT_ID


def existing(backend_dict):
    """(account, region, backend) of each backend moto has made so far."""
    return list(backend_dict.iter_backends())


def lambda_function(name):
    """moto's LambdaFunction named `name` ($LATEST), in any account and region, or None."""
    from moto.awslambda.models import lambda_backends

    for _, _, backend in existing(lambda_backends):
        try:
            return backend.get_function(name)
        except Exception:  # noqa: BLE001 - moto raises its own not-found error
            continue
    return None


def ec2(account, region):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account or DEFAULT_ACCOUNT_ID][region]


def s3(account):
    from moto.s3.models import s3_backends

    return s3_backends[account or DEFAULT_ACCOUNT_ID]["aws"]


def load_balancers():
    """moto's ELBv2 load balancers, each with (account, region)."""
    from moto.elbv2.models import elbv2_backends

    return [
        (account, region, balancer)
        for account, region, backend in existing(elbv2_backends)
        for balancer in list(backend.load_balancers.values())
    ]


def cloud_map_service(service_id):
    """moto's Cloud Map service with this id, or None."""
    from moto.servicediscovery.models import servicediscovery_backends

    for _, _, backend in existing(servicediscovery_backends):
        if service_id in backend.services:
            return backend.services[service_id]
    return None


def cloud_map_services_in(namespace_id):
    from moto.servicediscovery.models import servicediscovery_backends

    return [
        service
        for _, _, backend in existing(servicediscovery_backends)
        for service in list(backend.services.values())
        if service.namespace_id == namespace_id
    ]
