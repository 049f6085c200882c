"""Budgets and Service Quotas operations moto 5.2.1 lacks, for bedrock-monitor's tests and demo.

Imported by test/support/moto_server.py (the one launcher, which adds CloudWatch's composite alarms);
everything else is moto as installed. Each addition answers in the operation's documented request/response shape
(botocore's service model), and only where moto has no implementation of its own (so a newer moto wins):

- AWS Budgets: ResourceTags kept at CreateBudget; TagResource, UntagResource, ListTagsForResource
  (budget ARN arn:aws:budgets::<account>:budget/<name>); DescribeSubscribersForNotification,
  CreateSubscriber, DeleteSubscriber; UpdateBudget. moto 5.2.1 answers each of these with HTTP 500.
- Service Quotas for ServiceCode "bedrock": moto 5.2.1 knows only "vpc". ListServiceQuotas and
  ListAWSDefaultServiceQuotas answer from <working directory>/service-quotas.json when a test or the
  demo wrote one ({"applied": [ServiceQuota...], "defaults": [ServiceQuota...]}): SYNTHETIC quotas,
  never real account values.
"""

import json
import os

from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
from moto.budgets.responses import BudgetsResponse
from moto.core.utils import unix_time
from moto.servicequotas.responses import ServiceQuotasResponse


def _add(cls, name, fn):
    if not hasattr(cls, name):
        setattr(cls, name, fn)


# ---------------------------------------------------------------- Budgets


def _tags(backend):
    if not hasattr(backend, "bm_tags"):
        backend.bm_tags = {}
    return backend.bm_tags


def _budget_by_arn(self, arn):
    prefix = f"arn:aws:budgets::{self.current_account}:budget/"
    name = arn[len(prefix):] if arn.startswith(prefix) else None
    budgets = self.backend.budgets[self.current_account]
    if name is None or name not in budgets:
        raise NotFoundException(f"Unable to find resource {arn}")
    return arn


def _budget(self, name):
    budgets = self.backend.budgets[self.current_account]
    if name not in budgets:
        raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
    return budgets[name]


_NOTIFICATION_KEYS = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")


def _same_notification(a, b):
    def norm(n):
        return tuple(n.get(k, "PERCENTAGE" if k == "ThresholdType" else None) for k in _NOTIFICATION_KEYS)

    return norm(a) == norm(b)


def _notification(self, name, details):
    for n in _budget(self, name).notifications:
        if _same_notification(n.details, details):
            return n
    raise NotFoundException("Unable to find notification for the given budget.")


_original_create_budget = BudgetsResponse.create_budget
_original_delete_budget = BudgetsResponse.delete_budget


def create_budget(self):
    result = _original_create_budget(self)
    name = self._get_param("Budget")["BudgetName"]
    tags = self._get_param("ResourceTags") or []
    if tags:
        arn = f"arn:aws:budgets::{self.current_account}:budget/{name}"
        _tags(self.backend)[arn] = {t["Key"]: t["Value"] for t in tags}
    return result


def delete_budget(self):
    result = _original_delete_budget(self)
    _tags(self.backend).pop(f"arn:aws:budgets::{self.current_account}:budget/{self._get_param('BudgetName')}", None)
    return result


def tag_resource(self):
    arn = _budget_by_arn(self, self._get_param("ResourceARN"))
    store = _tags(self.backend).setdefault(arn, {})
    for t in self._get_param("ResourceTags") or []:
        store[t["Key"]] = t["Value"]
    return json.dumps({})


def untag_resource(self):
    arn = _budget_by_arn(self, self._get_param("ResourceARN"))
    store = _tags(self.backend).setdefault(arn, {})
    for k in self._get_param("ResourceTagKeys") or []:
        store.pop(k, None)
    return json.dumps({})


def list_tags_for_resource(self):
    arn = _budget_by_arn(self, self._get_param("ResourceARN"))
    store = _tags(self.backend).get(arn, {})
    return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in store.items()]})


def describe_subscribers_for_notification(self):
    n = _notification(self, self._get_param("BudgetName"), self._get_param("Notification"))
    return json.dumps({"Subscribers": n.subscribers})


def create_subscriber(self):
    n = _notification(self, self._get_param("BudgetName"), self._get_param("Notification"))
    sub = self._get_param("Subscriber")
    if any(s["SubscriptionType"] == sub["SubscriptionType"] and s["Address"] == sub["Address"] for s in n.subscribers):
        raise DuplicateRecordException(record_type="subscriber", record_name=sub["Address"])
    n.subscribers.append(sub)
    return json.dumps({})


def delete_subscriber(self):
    n = _notification(self, self._get_param("BudgetName"), self._get_param("Notification"))
    sub = self._get_param("Subscriber")
    same = lambda s: s["SubscriptionType"] == sub["SubscriptionType"] and s["Address"] == sub["Address"]  # noqa: E731
    n.subscribers = [s for s in n.subscribers if not same(s)]
    return json.dumps({})


def update_budget(self):
    new = self._get_param("NewBudget")
    b = _budget(self, new["BudgetName"])
    time_period = b.budget.get("TimePeriod")
    b.budget = dict(new)
    if "TimePeriod" not in b.budget and time_period:
        b.budget["TimePeriod"] = time_period
    b.budget["LastUpdatedTime"] = unix_time()
    return json.dumps({})


BudgetsResponse.create_budget = create_budget
BudgetsResponse.delete_budget = delete_budget
for _name, _fn in [
    ("tag_resource", tag_resource),
    ("untag_resource", untag_resource),
    ("list_tags_for_resource", list_tags_for_resource),
    ("describe_subscribers_for_notification", describe_subscribers_for_notification),
    ("create_subscriber", create_subscriber),
    ("delete_subscriber", delete_subscriber),
    ("update_budget", update_budget),
]:
    _add(BudgetsResponse, _name, _fn)


# ---------------------------------------------------------------- Service Quotas (bedrock)

_QUOTA_FILE = os.path.join(os.getcwd(), "service-quotas.json")
_original_list_defaults = ServiceQuotasResponse.list_aws_default_service_quotas


def _bedrock_quotas(kind):
    try:
        with open(_QUOTA_FILE, encoding="utf-8") as f:
            return json.load(f).get(kind, [])
    except FileNotFoundError:
        return []


def list_aws_default_service_quotas(self):
    params = json.loads(self.body)
    if params.get("ServiceCode") != "bedrock":
        return _original_list_defaults(self)
    return json.dumps({"Quotas": _bedrock_quotas("defaults")})


def list_service_quotas(self):
    params = json.loads(self.body)
    if params.get("ServiceCode") != "bedrock":
        return json.dumps({"Quotas": []})
    return json.dumps({"Quotas": _bedrock_quotas("applied")})


ServiceQuotasResponse.list_aws_default_service_quotas = list_aws_default_service_quotas
_add(ServiceQuotasResponse, "list_service_quotas", list_service_quotas)



# ---------------------------------------------------------------- Organizations and AssumeRole
#
# AWS creates OrganizationAccountAccessRole in every account that CreateAccount makes (moto 5.2.1 does
# too); an invited account lacks it. AWS STS AssumeRole refuses a role that does not exist or does not
# trust the caller with AccessDenied, "User: <caller> is not authorized to perform: sts:AssumeRole on
# resource: <role ARN>". moto 5.2.1 lets any role ARN be assumed, existing or not ("the role does not
# need to exist"): the refusal of a missing role is added here, so a fleet test can meet an account whose
# role cannot be assumed.

from moto.core.exceptions import ServiceException  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.sts.responses import TokenResponse  # noqa: E402


class _AccessDenied(ServiceException):
    code = "AccessDenied"


# moto's serializer finds the service's error models from the exception's module.
_AccessDenied.__module__ = "moto.sts.exceptions"


_assume_role = TokenResponse.assume_role


def _assume_existing_role(self):
    arn = self._get_param("RoleArn") or ""
    parts = arn.split(":")
    if len(parts) >= 6 and parts[5].startswith("role/"):
        account, name = parts[4], parts[5].split("/")[-1]
        roles = iam_backends[account]["aws"].get_roles() if account in iam_backends else []
        if not any(r.name == name for r in roles):
            raise _AccessDenied(
                f"User: arn:aws:iam::{self.current_account}:user/moto is not authorized to perform: "
                f"sts:AssumeRole on resource: {arn}"
            )
    return _assume_role(self)


TokenResponse.assume_role = _assume_existing_role
