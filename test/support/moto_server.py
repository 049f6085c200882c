"""moto 5.2.1's server, plus the CloudWatch alarm behaviour it lacks, and (moto_extras.py, imported
below) the Budgets and Service Quotas operations it lacks. TEST SUPPORT ONLY: never shipped.

moto 5.2.1 has no PutCompositeAlarm, ignores DescribeAlarms' AlarmTypes, deletes any alarm at any
time, and applies PutMetricAlarm's Tags when it updates an alarm. Real CloudWatch does otherwise, and
bedrock-monitor's composite alarms depend on it. This shim adds exactly that, following the shapes of
botocore's CloudWatch model (PutCompositeAlarmInput, DescribeAlarmsInput.AlarmTypes,
DescribeAlarmsOutput.CompositeAlarms with the CompositeAlarm members) and the API reference:

- PutCompositeAlarm: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html
  AlarmName (1-255) and AlarmRule (1-10240) required; at most 100 children; every alarm the rule
  names must exist ("Could not save the composite alarm as alarms … in the alarm rule do not exist",
  the real error: awsdocs/aws-cloudformation-user-guide#911); Tags are ignored on update.
- DescribeAlarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
  "If you omit this parameter, only metric alarms are returned, even if composite alarms exist".
- DeleteAlarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html
  "this total can include no more than one composite alarm"; an alarm a composite still names cannot
  be deleted ("Cannot delete <name> as there are composite alarm(s) depending on it.", the real
  error: ekristen/aws-nuke#462). Nothing is deleted when a request breaks either rule.
- PutMetricAlarm: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  "If you are using this operation to update an existing alarm, any tags you specify in this
  parameter are ignored."
- Dashboard tags (botocore's PutDashboardInput.Tags; moto 5.2.1 drops them and refuses TagResource on a
  dashboard ARN): https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
  "You can use this parameter only when creating a new dashboard. If you specify Tags when updating an
  existing dashboard, the tag updates are ignored. To add or update tags on an existing dashboard, use
  TagResource." DeleteDashboards drops a dashboard's tags with it.

It also does some of moto's per-request work faster, with the same answers (GetMetricData without its rescan of the
window per period, the serialiser's attribute lookups, header parsing, routing, model loading: docs/testing.md, "The
emulator, sixth session"; BM_MOTO_PLAIN=1 turns that off), and can profile itself, log and record what it answers
(BM_MOTO_PROFILE, BM_MOTO_RESPONSE_LOG, BM_MOTO_SEED: docs/testing.md, "How to measure").

Run as `python3 test/support/moto_server.py -H 127.0.0.1 -p PORT` (the same arguments as
`python3 -m moto.server`).
"""

import os
import re
import selectors as _selectors
import sys
import threading

from moto import server
from moto.cloudwatch import responses as cw_responses
from moto.cloudwatch.exceptions import ValidationError
from moto.core.responses import ActionResult, EmptyResult

CloudWatchResponse = cw_responses.CloudWatchResponse

# ALARM("name"), OK(name), INSUFFICIENT_DATA("arn:…:alarm:name"): quotes optional (API reference).
RULE_CHILD = re.compile(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+?)"?\s*\)')


def _children(rule):
    names = []
    for ref in RULE_CHILD.findall(rule):
        names.append(ref.split(":alarm:", 1)[1] if ":alarm:" in ref else ref)
    return names


def _composites(backend):
    return [a for a in backend.alarms.values() if a.rule is not None]


def _restore_tags(backend, arn, before):
    backend.tagger.delete_all_tags_for_resource(arn)
    if before:
        backend.tagger.tag_resource(arn, [{"Key": k, "Value": v} for k, v in before.items()])


def put_composite_alarm(self):
    backend = self.cloudwatch_backend
    name = self._get_param("AlarmName")
    rule = self._get_param("AlarmRule")
    if not name or not 1 <= len(name) <= 255:
        raise ValidationError("AlarmName must be 1 to 255 characters long.")
    if not rule or not 1 <= len(rule) <= 10240:
        raise ValidationError("AlarmRule must be 1 to 10240 characters long.")
    children = _children(rule)
    if len(set(children)) > 100:
        raise ValidationError("The AlarmRule can specify as many as 100 children alarms.")
    missing = sorted({c for c in children if c not in backend.alarms})
    if missing:
        raise ValidationError(
            f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule do not exist"
        )
    existing = backend.alarms.get(name)
    before = backend.tagger.get_tag_dict_for_resource(existing.alarm_arn) if existing else None
    backend.put_metric_alarm(
        name=name,
        namespace=None,
        metric_name=None,
        comparison_operator=None,
        evaluation_periods=None,
        period=None,
        threshold=None,
        statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=self._get_bool_param("ActionsEnabled"),
        rule=rule,
        tags=None if existing else self._get_param("Tags", []),
    )
    if existing:
        _restore_tags(backend, existing.alarm_arn, before)
    return EmptyResult()


def _composite_shape(alarm):
    """A CompositeAlarm as botocore's model has it (moto's Alarm keeps the rule as `rule`)."""
    return {
        "ActionsEnabled": alarm.actions_enabled,
        "AlarmActions": alarm.alarm_actions,
        "AlarmArn": alarm.alarm_arn,
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp,
        "AlarmDescription": alarm.description,
        "AlarmName": alarm.name,
        "AlarmRule": alarm.rule,
        "InsufficientDataActions": alarm.insufficient_data_actions,
        "OKActions": alarm.ok_actions,
        "StateReason": alarm.state_reason,
        "StateReasonData": alarm.state_reason_data,
        "StateUpdatedTimestamp": alarm.state_updated_timestamp,
        "StateValue": alarm.state_value,
    }


_describe_alarms = CloudWatchResponse.describe_alarms


def describe_alarms(self):
    types = self._get_param("AlarmTypes") or ["MetricAlarm"]
    result = _describe_alarms(self).result
    return ActionResult(
        {
            "MetricAlarms": result["MetricAlarms"] if "MetricAlarm" in types else [],
            "CompositeAlarms": (
                [_composite_shape(a) for a in result["CompositeAlarms"]] if "CompositeAlarm" in types else []
            ),
        }
    )


_delete_alarms = CloudWatchResponse.delete_alarms


def delete_alarms(self):
    backend = self.cloudwatch_backend
    names = self._get_param("AlarmNames", [])
    composites = [n for n in names if n in backend.alarms and backend.alarms[n].rule is not None]
    if len(composites) > 1:
        raise ValidationError(
            "You can delete up to 100 alarms in one operation, including no more than one composite alarm."
        )
    for name in names:
        parents = [c.name for c in _composites(backend) if name in _children(c.rule)]
        if parents:
            raise ValidationError(f"Cannot delete {name} as there are composite alarm(s) depending on it.")
    return _delete_alarms(self)


_put_metric_alarm = CloudWatchResponse.put_metric_alarm


def put_metric_alarm(self):
    backend = self.cloudwatch_backend
    existing = backend.alarms.get(self._get_param("AlarmName"))
    before = backend.tagger.get_tag_dict_for_resource(existing.alarm_arn) if existing else None
    result = _put_metric_alarm(self)
    if existing:
        _restore_tags(backend, existing.alarm_arn, before)
    return result


_put_dashboard = CloudWatchResponse.put_dashboard
_delete_dashboards = CloudWatchResponse.delete_dashboards
_tag_resource = CloudWatchResponse.tag_resource


def put_dashboard(self):
    backend = self.cloudwatch_backend
    existed = self._get_param("DashboardName") in backend.dashboards
    result = _put_dashboard(self)
    tags = self._get_param("Tags", [])
    if not existed and tags:
        backend.tagger.tag_resource(backend.dashboards[self._get_param("DashboardName")].arn, tags)
    return result


def delete_dashboards(self):
    backend = self.cloudwatch_backend
    arns = [backend.dashboards[n].arn for n in self._get_param("DashboardNames", []) if n in backend.dashboards]
    result = _delete_dashboards(self)
    for arn in arns:
        backend.tagger.delete_all_tags_for_resource(arn)
    return result


def tag_resource(self):
    backend = self.cloudwatch_backend
    arn = self._get_param("ResourceARN")
    if any(d.arn == arn for d in backend.dashboards.values()):
        backend.tagger.tag_resource(arn, self._get_param("Tags", []))
        return EmptyResult()
    return _tag_resource(self)


CloudWatchResponse.put_dashboard = put_dashboard
CloudWatchResponse.delete_dashboards = delete_dashboards
CloudWatchResponse.tag_resource = tag_resource
CloudWatchResponse.put_composite_alarm = put_composite_alarm
CloudWatchResponse.describe_alarms = describe_alarms
CloudWatchResponse.delete_alarms = delete_alarms
CloudWatchResponse.put_metric_alarm = put_metric_alarm


# Snapshots of the emulator's whole state (TEST SUPPORT ONLY, no AWS counterpart), for tests that build the
# same account before each of many tests (test/support/cli.ts, fromSnapshot): POST /moto-api/bm-snapshot?name=N
# saves every service's data, POST /moto-api/bm-restore?name=N resets moto and puts a fresh copy of it back (404
# when there is no such snapshot). The state is kept pickled, one pickle for all services (references between them
# kept), not as live objects: moto's reset disposes every S3 key it ever made (`FakeKey.instances_tracked`), a saved
# deep copy's too, so a kept copy lost its objects' bodies at the next test; a pickle holds each body as bytes
# (FakeKey's own __getstate__), and loading one is several times cheaper than a deep copy.
SNAPSHOTS = {}
MAX_SNAPSHOTS = 8


def _registered():
    from moto.core.base_backend import BackendDict

    return list(dict.fromkeys(BackendDict._instances))


def _state(dicts):
    from moto.s3.models import s3_backends

    return {"data": [dict(bd) for bd in dicts], "s3_bucket_accounts": dict(getattr(s3_backends, "bucket_accounts", {}))}


def _restore(dicts, state):
    from moto.core.base_backend import BackendDict
    from moto.moto_api._internal.models import moto_api_backend
    from moto.s3.models import s3_backends

    moto_api_backend.reset()
    for bd, data in zip(dicts, state["data"]):
        for account, backend in data.items():
            dict.__setitem__(bd, account, backend)
        BackendDict._instances.append(bd)
    if hasattr(s3_backends, "bucket_accounts"):
        s3_backends.bucket_accounts.clear()
        s3_backends.bucket_accounts.update(state["s3_bucket_accounts"])


def _snapshot_response(self, request, full_url, headers):
    import json as _json
    import pickle
    from urllib.parse import parse_qs, urlparse

    name = parse_qs(urlparse(full_url).query).get("name", [""])[0]
    if request.method != "POST" or not name:
        return 400, {}, _json.dumps({"Error": "POST with ?name="})
    if full_url.split("?")[0].endswith("/bm-snapshot"):
        dicts = _registered()
        SNAPSHOTS.pop(name, None)
        while len(SNAPSHOTS) >= MAX_SNAPSHOTS:
            SNAPSHOTS.pop(next(iter(SNAPSHOTS)))
        SNAPSHOTS[name] = (dicts, pickle.dumps(_state(dicts), protocol=pickle.HIGHEST_PROTOCOL))
        return 200, {}, _json.dumps({"status": "ok"})
    if name not in SNAPSHOTS:
        return 404, {}, _json.dumps({"Error": f"no snapshot {name}"})
    dicts, saved = SNAPSHOTS[name]
    _restore(dicts, pickle.loads(saved))
    return 200, {}, _json.dumps({"status": "ok"})


def bm_snapshot(request, full_url, headers):
    return _snapshot_response(None, request, full_url, headers)


def bm_restore(request, full_url, headers):
    return _snapshot_response(None, request, full_url, headers)


VALIDATION_SESSION = []
# What bm-validate found for each distinct request this server validated: (service, operation, the parameters as
# JSON, key order kept) -> the error, or None. Test files repeat the same requests many times (every status run
# reads the same alarms, policies, buckets), so each is validated once per server; a request that failed still
# fails every file that sends it, with the same error. Bounded, in case a server outlives many runs.
VALIDATED = {}
MAX_VALIDATED = 200_000


def _validate_cached(items, session):
    """botocore_validate.validate over `items`, each distinct (service, operation, params) validated once."""
    import json as _json

    import botocore_validate

    keys = [(i["service"], i["operation"], _json.dumps(i["params"], separators=(",", ":"))) for i in items]
    known = {key: VALIDATED[key] for key in keys if key in VALIDATED}
    fresh = {}
    for item, key in zip(items, keys):
        if key not in known and key not in fresh:
            fresh[key] = {**item, "index": len(fresh)}
    if fresh:
        found = {e["index"]: e["error"] for e in botocore_validate.validate(list(fresh.values()), session)}
        known.update((key, found.get(item["index"])) for key, item in fresh.items())
        if len(VALIDATED) + len(fresh) > MAX_VALIDATED:
            VALIDATED.clear()
        VALIDATED.update((key, known[key]) for key in fresh)
    return [{"index": i["index"], "error": known[key]} for i, key in zip(items, keys) if known[key] is not None]


def bm_validate(request, full_url, headers):
    """botocore_validate.py's validation of the JSON list in the body, in this process (TEST SUPPORT ONLY)."""
    import json as _json

    if not VALIDATION_SESSION:
        VALIDATION_SESSION.append(_MotoModels())
    body = request.get_data() if hasattr(request, "get_data") else request.body
    return 200, {}, _json.dumps(_validate_cached(_json.loads(body), VALIDATION_SESSION[0]))


def _add_snapshot_routes():
    from moto.moto_api._internal import urls

    urls.url_paths["{0}/moto-api/bm-snapshot"] = bm_snapshot
    urls.url_paths["{0}/moto-api/bm-restore"] = bm_restore
    urls.url_paths["{0}/moto-api/bm-validate"] = bm_validate


def _cheaper_requests():
    """Work moto's server redoes on every request although its answer never changes while the server runs, done
    once (the same answers; measured in docs/testing.md):
    - it lists its own package directory (os.listdir, then a stat per entry) twice per request to route it
      (werkzeug_app.get_backend_for_host → backends.list_of_moto_modules);
    - it lists the response class's methods with inspect.getmembers to find the action (responses.call_action);
    - it draws the 52-character request ID one random.choice per character (responses._enrich_response)."""
    import functools
    import string

    from moto import backends
    from moto.core import responses
    from moto.moto_api._internal import mock_random

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)
    pool = string.ascii_letters + string.digits

    def gen_amzn_requestid_long(headerdict=None):
        req_id = "".join(mock_random.choices(pool, k=52))
        if isinstance(headerdict, dict):
            headerdict["x-amzn-requestid"] = req_id
        return req_id

    responses.gen_amzn_requestid_long = gen_amzn_requestid_long


def _models_once():
    """botocore data moto's server loads again and again, loaded once per server (measured in docs/testing.md):
    - every error response looks up the service's name through service_name_from_moto_package_name, which builds a
      new botocore Session and lists every service's directory (~0.1 s); it is cached per package, but requests
      running in parallel all miss the cache until the first finishes (fleet.int: 24 Sessions in its first
      second). The table is built once, under a lock;
    - moto loads each service's model for its serialiser (moto.core.utils.get_service_model, cached) and bm-validate
      loaded the same models again through its own botocore Session: it uses moto's now (the same files); a model
      is loaded under a lock, so that parallel first requests do not each load it."""
    from moto.core import responses, utils

    lock = threading.Lock()
    table = {}

    def service_name_from_moto_package_name(package):
        with lock:
            if not table:
                from botocore.session import Session

                table.update({name.replace("-", ""): name for name in Session().get_available_services()})
        return table.get(package, package)

    utils.service_name_from_moto_package_name = service_name_from_moto_package_name
    load = utils.get_service_model
    model_lock = threading.Lock()

    def get_service_model(service_name):
        with model_lock:
            return load(service_name)

    utils.get_service_model = get_service_model
    responses.get_service_model = get_service_model
    # moto makes a new botocore Loader for each model it loads (utils._load_service_model), and each new Loader
    # lists every service's directory again (~400 entries, a stat each) to find the latest API version: one Loader
    # is kept for all, under a lock (botocore caches what a Loader read, so a model is still read once).
    loaders = []

    loader_lock = threading.Lock()

    def _load_service_model(service_name, model_name):
        with loader_lock:
            if not loaders:
                loaders.append(utils.create_loader())
            return loaders[0].load_service_model(service_name, model_name)

    utils._load_service_model = _load_service_model


class _MotoModels:
    """What botocore_validate.validate needs of a botocore Session (get_service_model), from moto's cache."""

    @staticmethod
    def get_service_model(service_name):
        from moto.core import utils

        return utils.get_service_model(service_name)


def _buckets(data, start_time, delta):
    """{period index: the datapoints in [start + i·delta, start + (i+1)·delta)}, each in data's order."""
    buckets = {}
    for md in data:
        buckets.setdefault((md.timestamp - start_time) // delta, []).append(md)
    return buckets


def _by_period(buckets, start_time, delta, stat, scan_by):
    """The values and timestamps moto's per-period loop gives for these buckets (the non-empty periods, in order)."""
    from moto.cloudwatch.models import Statistics

    result_vals, timestamps = [], []
    for index in sorted(buckets):
        stats = Statistics([stat], start_time + index * delta)
        stats.metric_data = buckets[index]
        result_vals.append(stats.get_statistics_for_type(stat))
        timestamps.append(stats.timestamp)
    if scan_by == "TimestampDescending" and len(timestamps) > 0:
        timestamps.reverse()
        result_vals.reverse()
    return result_vals, timestamps


def _stat_query_data(by_name, query):
    """The datapoints of the window moto 5.2.1 counts for a MetricStat query, in the window's order: same name and
    namespace, or, when the query has dimensions, same name and the same sorted dimensions (moto then ignores the
    namespace), and the same unit when the query gives one."""
    from moto.cloudwatch.models import Dimension

    metric_stat = query["MetricStat"]
    query_ns = metric_stat["Metric"]["Namespace"]
    dimensions = [Dimension(name=d["Name"], value=d["Value"]) for d in metric_stat["Metric"].get("Dimensions", [])]
    unit = metric_stat.get("Unit")
    data = by_name.get(metric_stat["Metric"]["MetricName"], [])
    if dimensions:
        wanted = sorted(dimensions)
        data = [md for md in data if sorted(md.dimensions) == wanted]
    else:
        data = [md for md in data if md.namespace == query_ns]
    if unit:
        data = [md for md in data if md.unit == unit]
    return data


def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
    """moto 5.2.1's CloudWatchBackend.get_metric_data with the same answers, without its rescan of every datapoint of
    the window for every query and every period (GetMetricData over 30 days by the hour: 720 scans per query). The
    window's datapoints are grouped by metric name once, each query's are put into their periods in one pass (a
    datapoint of [start, end) is in exactly one period [start + i·delta, start + (i+1)·delta)), and each non-empty
    period gives its statistic as before. Only the MetricStat and Metrics Insights loops differ from moto's."""
    from datetime import timedelta

    from moto.cloudwatch.exceptions import ValidationError as CwValidationError
    from moto.cloudwatch.metric_data_expression_parser import parse_expression

    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time > end_time:
        raise CwValidationError("The parameter EndTime must be greater than StartTime.")
    if start_time == end_time:
        raise CwValidationError("The parameter StartTime must not equal parameter EndTime.")
    period_data = [md for md in self.get_all_metrics() if start_time <= md.timestamp < end_time]
    by_name = {}
    for md in period_data:
        by_name.setdefault(md.name, []).append(md)
    results = []
    results_to_return = []
    for query in queries:
        if "MetricStat" not in query:
            continue
        metric_stat = query["MetricStat"]
        delta = timedelta(seconds=int(metric_stat["Period"]))
        stat = metric_stat["Stat"]
        buckets = _buckets(_stat_query_data(by_name, query), start_time, delta)
        result_vals, timestamps = _by_period(buckets, start_time, delta, stat, scan_by)
        label = query.get("Label") or f"{metric_stat['Metric']['MetricName']} {stat}"
        result = {"id": query["Id"], "label": label, "values": result_vals, "timestamps": timestamps}
        results.append({**result, "status_code": "Complete"})
        if query.get("ReturnData", True):
            results_to_return.append({**result, "status_code": "Complete"})
    for query in queries:
        if "Expression" in query and not query["Expression"].startswith("SELECT"):
            result_vals, timestamps = parse_expression(query["Expression"], results)
            label = query.get("Label") or query["Id"]
            result = {"id": query["Id"], "label": label, "values": result_vals, "timestamps": timestamps}
            results_to_return.append({**result, "status_code": "Complete"})
    for query in queries:
        if "Expression" in query and query["Expression"].startswith("SELECT"):
            delta = timedelta(seconds=int(query["Period"]))
            buckets = _buckets(period_data, start_time, delta)
            result_vals, timestamps = _by_period(buckets, start_time, delta, "Sum", scan_by)
            label = query.get("Label") or query["Id"]
            result = {"id": query["Id"], "label": label, "values": result_vals, "timestamps": timestamps}
            results_to_return.append({**result, "status_code": "Complete"})
    return results_to_return


def _metric_data_by_period():
    """GetMetricData without moto's scan of the whole window per query and period (get_metric_data above); a query
    whose Period is not positive (moto would loop forever) still goes to moto's own code."""
    from moto.cloudwatch.models import CloudWatchBackend

    original = CloudWatchBackend.get_metric_data

    def patched(self, queries, start_time, end_time, scan_by="TimestampAscending"):
        try:
            periods = [int(q["MetricStat"]["Period"] if "MetricStat" in q else q.get("Period", 1)) for q in queries]
        except (KeyError, TypeError, ValueError):
            periods = [0]  # moto's code raises its own error for it, after its checks of the window
        if any(p <= 0 for p in periods):
            return original(self, queries, start_time, end_time, scan_by)
        return get_metric_data(self, queries, start_time, end_time, scan_by)

    CloudWatchBackend.bm_original_get_metric_data = original
    CloudWatchBackend.get_metric_data = patched


def _shape_aliases(shape, key):
    """What moto's alias providers that look only at the shape give for `key` (ShapeNameAlias, ShapePrefixAlias,
    ModelAlias), each None when it has none; the same code as theirs, with no object."""
    from moto.core.serialize import AttributePickerContext, ModelAlias, ShapeNameAlias, ShapePrefixAlias

    context = AttributePickerContext(obj=None, key=key, shape=shape)
    found = []
    for provider_cls in (ShapeNameAlias, ShapePrefixAlias, ModelAlias):
        provider = provider_cls(context)
        found.append(provider.get_alias(key) if provider.has_alias(key) else None)
    return found


def _faster_value_picker():
    """moto's serialiser looks up each member of each response structure through XFormedAttributePicker: per member
    a dataclass, the serialiser's path joined into a string, six alias-provider objects and their checks of the
    shape (a botocore model object, which does not change once loaded), then botocore's xform_name of each alias.
    Here the shape's part (ShapeNameAlias, ShapePrefixAlias, ModelAlias and the xform_name of each) is worked out
    once per shape, member and parent shape, and the object's part (ExplicitAlias: its Meta.serialization_aliases;
    ClassPrefixAlias: its class name) still for each object: the same keys tried in the same order, the same value
    found, the response transformers applied as before (the path joined only when there are any)."""
    from botocore import xform_name
    from moto.core import serialize
    from moto.core.utils import MISSING, get_value

    picker_cls = serialize.XFormedAttributePicker
    if serialize.DEFAULT_ALIAS_PROVIDERS != [
        serialize.ExplicitAlias,
        serialize.ShapeNameAlias,
        serialize.NoAlias,
        serialize.ShapePrefixAlias,
        serialize.ClassPrefixAlias,
        serialize.ModelAlias,
    ]:
        return  # another moto: leave its serialiser alone
    shapes = {}
    original = serialize.ResponseSerializer.get_value

    by_class = {}

    def keys_for(obj, key, shape):
        """The keys to try, kept per class too when only the class can change them: a dict, or an object without
        __getattr__ and without a Meta of its own (moto's Meta is a class attribute)."""
        cls = type(obj)
        if cls is not dict and (
            getattr(cls, "__getattr__", None) is not None
            or cls.__getattribute__ is not object.__getattribute__
            or "Meta" in getattr(obj, "__dict__", ())
            or obj.__class__ is not cls
        ):
            return object_keys_for(obj, key, shape)
        parent = getattr(shape, "parent", None)
        entry = by_class.get((id(shape), id(parent), key, cls))
        if entry is None or entry[0] is not shape or entry[1] is not parent:
            entry = (shape, parent, object_keys_for(obj, key, shape))
            by_class[(id(shape), id(parent), key, cls)] = entry
        return entry[2]

    def object_keys_for(obj, key, shape):
        parent = getattr(shape, "parent", None)
        entry = shapes.get((id(shape), id(parent), key))
        if entry is None or entry[0] is not shape or entry[1] is not parent:
            name, prefix, model = _shape_aliases(shape, key)
            pair = lambda alias: None if alias is None else (alias, xform_name(alias))  # noqa: E731
            entry = (shape, parent, pair(name), (key, xform_name(key)), pair(prefix), pair(model))
            shapes[(id(shape), id(parent), key)] = entry
        _, _, name, plain, prefix, model = entry
        keys = []
        meta = obj.Meta if hasattr(obj, "Meta") else None
        if meta is not None and hasattr(meta, "serialization_aliases") and key in meta.serialization_aliases:
            alias = meta.serialization_aliases[key]
            keys += (alias, xform_name(alias))
        for pair in (name, plain, prefix):
            if pair is not None:
                keys += pair
        if hasattr(obj, "__class__"):
            class_name = obj.__class__.__name__
            if key.lower().startswith(class_name.lower()):
                alias = key[len(class_name) :]
                keys += (alias, xform_name(alias))
        if model is not None:
            keys += model
        return keys

    def picked(self, value, key, shape):
        picker = self._value_picker
        if type(picker) is not picker_cls or picker.alias_providers is not serialize.DEFAULT_ALIAS_PROVIDERS:
            return original(self, value, key, shape)
        for possible_key in keys_for(value, key, shape):
            found = get_value(value, possible_key, MISSING)
            if found is not MISSING:
                break
        else:
            found = None
        if picker.response_transformers:
            key_path = f"{'.'.join(self.path)}.{key}"
            for transform_path, transform in picker.response_transformers.items():
                if key_path.endswith(transform_path):
                    found = transform(found)
                    break
        return found

    serialize.ResponseSerializer.get_value = picked


def _cached_routes():
    """moto's server finds the backend for each request's host twice (werkzeug_app.get_backend_for_host: a scan of
    the ~190 service names, then up to every backend's URL regular expressions, in order); the answer for a host
    never changes while the server runs, so it is kept per host (under the dispatcher's lock, as before)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    find = DomainDispatcherApplication.get_backend_for_host

    def get_backend_for_host(self, host):
        cache = self.__dict__.setdefault("bm_backend_for_host", {})
        if host not in cache:
            cache[host] = find(self, host)
        return cache[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host


# A header line the email parser reads as one "Name: value" pair: a name of the characters its headerRE allows, a
# colon, then no line break but the one that ends the line.
HEADER_LINE = re.compile(r"([\x21-\x39\x3b-\x7e]+):([^\r\n]*)\r?\n\Z")


def _faster_headers():
    """http.server parses each request's headers with the email package's feed parser (http.client.parse_headers,
    ~0.1 ms a request). A header block of plain "Name: value" lines (what every AWS SDK sends) is read here into the
    same HTTPMessage (the same (name, value) pairs as compat32's header_source_parse gives: the value without the
    blanks after the colon and without the line end, an empty payload); anything else (continuation lines, a line
    without a colon, a stray CR, the end of the stream before the blank line) goes to the email parser as before."""
    import email.parser
    import http.client

    def parse_headers(fp, _class=http.client.HTTPMessage):
        lines = http.client._read_headers(fp)
        pairs = []
        if lines[-1] in (b"\r\n", b"\n"):
            for line in lines[:-1]:
                found = HEADER_LINE.match(line.decode("iso-8859-1"))
                if not found:
                    break
                pairs.append((found.group(1), found.group(2).lstrip(" \t")))
            else:
                message = _class()
                for name, value in pairs:
                    message.set_raw(name, value)
                message.set_payload("")
                return message
        return email.parser.Parser(_class=_class).parsestr(b"".join(lines).decode("iso-8859-1"))

    http.client.parse_headers = parse_headers


def _metric_corpus(rng):
    """A CloudWatch backend holding random datapoints (names, namespaces, dimensions, units, timestamps around a
    window), and random GetMetricData arguments over it: what _selfcheck runs moto's and this file's code on."""
    from datetime import datetime, timedelta, timezone

    from moto.cloudwatch.models import CloudWatchBackend

    backend = CloudWatchBackend("us-east-1", "123456789012")
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    names = ["Invocations", "InputTokenCount", "OutputTokenCount"]
    dims = [[], [{"Name": "ModelId", "Value": "a"}], [{"Name": "ModelId", "Value": "b"}]]
    dims.append([{"Name": "ModelId", "Value": "a"}, {"Name": "Z", "Value": "q"}])
    for namespace in ["AWS/Bedrock", "Other"]:
        data = []
        for _ in range(rng.randint(0, 150)):
            datum = {"MetricName": rng.choice(names), "Value": rng.randint(0, 50), "Dimensions": rng.choice(dims)}
            datum["Timestamp"] = start + timedelta(seconds=rng.randint(-3600, 2 * 86400))
            if rng.random() < 0.5:
                datum["Unit"] = "Count"
            data.append(datum)
        backend.put_metric_data(namespace, data)
    queries = []
    for j in range(rng.randint(1, 4)):
        metric = {"Namespace": rng.choice(["AWS/Bedrock", "Other"]), "MetricName": rng.choice(names)}
        metric.update({"Dimensions": d} if (d := rng.choice(dims)) else {})
        stat = rng.choice(["Sum", "Average", "Maximum", "Minimum", "SampleCount"])
        metric_stat = {"Metric": metric, "Period": rng.choice([60, 300, 3600, 25200, 86400]), "Stat": stat}
        metric_stat.update({"Unit": "Count"} if rng.random() < 0.3 else {})
        query = {"Id": f"q{j}", "MetricStat": metric_stat}
        query.update({"ReturnData": False} if rng.random() < 0.2 else {})
        query.update({"Label": "L"} if rng.random() < 0.2 else {})
        queries.append(query)
    if rng.random() < 0.5:
        queries.append({"Id": "e1", "Expression": "q0 + 1"})
    if rng.random() < 0.3:
        queries.append({"Id": "e2", "Expression": "SELECT SUM(x) FROM y", "Period": 3600})
    begin = start + timedelta(seconds=rng.randint(0, 3600), microseconds=rng.randint(0, 999))
    end = begin + timedelta(seconds=rng.randint(60, 2 * 86400))
    return backend, (queries, begin, end, rng.choice(["TimestampAscending", "TimestampDescending"]))


def _header_cases(rng):
    fixed = [b"host: x\r\ncontent-type: a/b\r\nX-A:  v  \r\n\r\n", b"a: b\n\n", b"A:\r\n\r\n", b"a: b\r\n c\r\n\r\n"]
    fixed += [b"From x: y\r\n\r\n", b":x\r\n\r\n", b"a b: c\r\n\r\n", b"a: b\rc\r\n\r\n", b"a: \xe9\r\n\r\n"]
    fixed += [b"a: b\r\n", b""]
    alphabet = b"ab:\t \r\n\x7f\xe9F"
    return fixed + [bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) + b"\r\n\r\n" for _ in range(2000)]


def _selfcheck():
    """This file's faster code against moto's and the standard library's own, on random inputs (TEST SUPPORT ONLY):
    GetMetricData's answers, and the HTTPMessage of each header block (POST /moto-api/bm-selfcheck)."""
    import email.parser
    import http.client
    import io
    import random

    from moto.cloudwatch.models import CloudWatchBackend

    rng = random.Random(23)
    metric = {"cases": 0, "values": 0, "mismatches": []}
    for case in range(40):
        backend, args = _metric_corpus(rng)
        expected = CloudWatchBackend.bm_original_get_metric_data(backend, *args)
        metric["cases"] += 1
        metric["values"] += sum(len(r["values"]) for r in expected)
        if repr(CloudWatchBackend.get_metric_data(backend, *args)) != repr(expected):
            metric["mismatches"].append(case)

    def parsed(parse, raw):
        fp = io.BytesIO(raw + b"BODY")
        try:
            return repr((vars(parse(fp)), fp.read()))
        except Exception as error:  # the same error from both is the same answer
            return repr(error)

    def by_email(fp, _class=http.client.HTTPMessage):
        text = b"".join(http.client._read_headers(fp)).decode("iso-8859-1")
        return email.parser.Parser(_class=_class).parsestr(text)

    headers = {"cases": 0, "plain": 0, "mismatches": []}
    for raw in _header_cases(rng):
        headers["cases"] += 1
        lines = http.client._read_headers(io.BytesIO(raw))
        ends = lines[-1] in (b"\r\n", b"\n")
        headers["plain"] += ends and all(HEADER_LINE.match(line.decode("iso-8859-1")) for line in lines[:-1])
        if parsed(http.client.parse_headers, raw) != parsed(by_email, raw):
            headers["mismatches"].append(raw.decode("iso-8859-1"))
    return {"metricData": metric, "headers": headers}


def bm_selfcheck(request, full_url, headers):
    import json as _json

    return 200, {}, _json.dumps(_selfcheck())


IDLE_S = 30


class _Body:
    """A request's body as werkzeug reads it (wsgi.input), ending at its Content-Length so that the next request on
    the connection stays unread; drain() reads what the application left."""

    def __init__(self, raw, length):
        self.raw = raw
        self.left = length

    def read(self, size=-1):
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.raw.read(size) if size else b""
        self.left -= len(data)
        if size and not data:
            self.left = 0
        return data

    def readline(self, size=-1):
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.raw.readline(size) if size else b""
        self.left -= len(data)
        return data

    def drain(self):
        while self.left and self.read(65536):
            pass


KEEP_ALIVE = threading.local()


class _DrainSelector:
    """werkzeug's wait, after each response, for the rest of the body or for the client to close (selectors), made
    immediate on a kept-alive connection: its body reader ends at the Content-Length, so reading what is left
    cannot swallow the next request."""

    def __init__(self):
        self.real = None if getattr(KEEP_ALIVE, "on", False) else _selectors.DefaultSelector()

    def register(self, *args):
        return self.real.register(*args) if self.real else None

    def select(self, timeout=None):
        return self.real.select(timeout) if self.real else [True]

    def close(self):
        if self.real:
            self.real.close()


def _keep_alive():
    """HTTP/1.1 keep-alive in moto's server. werkzeug's development server answers every request `Connection: close`
    (http.server cannot find the end of a body it did not read), then waits up to 10 ms for the client to close:
    a new TCP connection and a new server thread per request. Here a request with a Content-Length (or none: no
    body) is read up to it and the connection kept open; a chunked one (no length) still closes it.
    A client that reuses a socket the server is closing gets ECONNRESET, so the server never closes an idle
    connection first unless it has been idle IDLE_S (an AWS SDK client's agent keeps idle sockets open for as long
    as the client lives, and reuses them; no CLI run in the tests waits anywhere near IDLE_S between two requests).
    It announces `Keep-Alive: timeout=2`, which Node's global agent and fetch (undici) take as "drop an idle socket
    after 1 s". The test helpers' own requests (/moto-api/: reset, snapshots, recording, validation) are answered
    `Connection: close`: a jest worker whose last request was one of them would otherwise wait up to that second for
    the idle socket before it can exit ("A worker process has failed to exit gracefully")."""
    from werkzeug import serving

    class Selectors:
        EVENT_READ = _selectors.EVENT_READ
        DefaultSelector = _DrainSelector

    class Handler(serving.WSGIRequestHandler):
        timeout = IDLE_S
        # A response is written in two parts (head, then body): without this, the body of a response on a kept
        # connection waits for the client's delayed ACK of the head (Nagle's algorithm), ~40 ms.
        disable_nagle_algorithm = True

        def run_wsgi(self):
            length = self.headers.get("Content-Length")
            chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
            admin = self.path.startswith("/moto-api/")
            KEEP_ALIVE.on = not admin and not chunked and not self.close_connection and (length or "0").isdigit()
            if not KEEP_ALIVE.on:
                return super().run_wsgi()
            raw = self.rfile
            self.rfile = body = _Body(raw, int(length or "0"))
            try:
                super().run_wsgi()
                body.drain()
            finally:
                self.rfile = raw
                KEEP_ALIVE.on = False

        def log_error(self, format, *args):
            # An idle connection closed after IDLE_S ("Request timed out") is not an error.
            if not format.startswith("Request timed out"):
                super().log_error(format, *args)

        def send_header(self, keyword, value):
            if getattr(KEEP_ALIVE, "on", False) and keyword.lower() == "connection":
                keyword, value = "Keep-Alive", "timeout=2"
            super().send_header(keyword, value)

    serving.selectors = Selectors
    serving.WSGIRequestHandler = Handler


def _reused_threads():
    """A connection handled by a thread that handled an earlier one. socketserver starts a new thread per connection
    (werkzeug's ThreadedWSGIServer), which cost the server ~1 ms of CPU on top of the requests (a fresh thread's
    start-up, its hand-over of the GIL, its bookkeeping; measured with a new connection per GetCallerIdentity against
    one kept alive), and the tests open thousands: every CLI run's connections are new. Here a thread that is done
    with its connection waits for the next one; the server starts a thread only when none is waiting, so a
    connection never waits for another (an idle kept-alive connection holds its thread, as before)."""
    import queue

    from werkzeug import serving

    jobs = queue.SimpleQueue()
    lock = threading.Lock()
    waiting = [0]

    def work(server, job):
        while True:
            server.process_request_thread(*job)
            with lock:
                waiting[0] += 1
            job = jobs.get()

    def process_request(self, request, client_address):
        with lock:
            reuse = waiting[0] > 0
            if reuse:
                waiting[0] -= 1
        if reuse:
            jobs.put((request, client_address))
        else:
            threading.Thread(target=work, args=(self, (request, client_address)), daemon=True).start()

    serving.ThreadedWSGIServer.process_request = process_request


def _less_per_request():
    """Two things moto's server did for every request that no client of the tests reads: werkzeug's access log line
    (log_request escapes, colours and formats it, then the logger drops it: this server logs errors only), and
    flask_cors's `Access-Control-*` headers (for browsers calling moto from another origin; the AWS SDK and the test
    helpers never send an Origin). The headers are off by moto's own setting (MOTO_DISABLE_GLOBAL_CORS), which moto
    reads when it builds each service's Flask app; the access log still runs when the werkzeug logger shows INFO."""
    import logging

    from moto.moto_server import werkzeug_app
    from werkzeug import serving

    werkzeug_app.DISABLE_GLOBAL_CORS = True
    log_request = serving.WSGIRequestHandler.log_request

    def quiet_log_request(self, code="-", size="-"):
        if logging.getLogger("werkzeug").isEnabledFor(logging.INFO):
            log_request(self, code, size)

    serving.WSGIRequestHandler.log_request = quiet_log_request


def _profile_threads(path):
    """BM_MOTO_PROFILE=/path (TEST SUPPORT ONLY, off by default): every connection thread's handling runs under its
    own cProfile with time.thread_time (CPU, not the wait for the GIL or the next request; cProfile alone follows
    no thread but the one that enabled it), and at SIGTERM (Moto.stop) or exit the profiles are merged and dumped
    as pstats to /path.<pid> (one file per server: jest starts two). Read with
    `python3 -c "import pstats,glob; pstats.Stats(*glob.glob('/path.*')).sort_stats('tottime').print_stats(40)"`."""
    import atexit
    import cProfile
    import signal
    import time

    from werkzeug import serving

    profiles = []
    lock = threading.Lock()
    handle = serving.WSGIRequestHandler.handle

    def profiled_handle(self):
        prof = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append(prof)
        prof.enable()
        try:
            handle(self)
        finally:
            prof.disable()

    def dump():
        import pstats

        with lock:
            done = [p for p in profiles if p.getstats()]
            profiles.clear()
        if done:
            pstats.Stats(*done).dump_stats(f"{path}.{os.getpid()}")

    def on_term(signum, frame):
        dump()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    serving.WSGIRequestHandler.handle = profiled_handle
    atexit.register(dump)
    signal.signal(signal.SIGTERM, on_term)


def _log_responses(path):
    """BM_MOTO_RESPONSE_LOG=/path (TEST SUPPORT ONLY, off by default): one line per request appended to /path.<pid>:
    the method and path, a hash of the request body, the status and a hash of the response body with what differs
    from run to run blanked (request IDs, UUIDs, timestamps). Two runs of the same files compared line by line show
    whether a change to the server changed any answer (docs/testing.md)."""
    import base64
    import hashlib
    import json

    from werkzeug import serving

    lock = threading.Lock()
    out = open(f"{path}.{os.getpid()}", "a", encoding="utf-8")
    full = os.environ.get("BM_MOTO_RESPONSE_LOG_BODIES") == "1"
    # BM_MOTO_RESPONSE_LOG_REQUESTS=1: every request as it came (method, target, headers, body), one JSON line each in
    # /path.<pid>.requests, for test/support/moto_replay.py to send again to a fresh server.
    requests = None
    if os.environ.get("BM_MOTO_RESPONSE_LOG_REQUESTS") == "1":
        requests = open(f"{path}.{os.getpid()}.requests", "a", encoding="utf-8")
    volatile = re.compile(
        rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        rb"|[A-Za-z0-9]{52}"
        rb"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"
        rb"|\b1[0-9]{9}(?:\.[0-9]+)?\b|\b1[0-9]{12}\b"
        rb"|\b[0-9]{12}\b",  # account IDs: Organizations' CreateAccount draws them
        re.I,
    )

    def clean(data):
        text = volatile.sub(b"~", data).decode("utf-8", "replace")
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")

    def digest(data):
        return hashlib.sha1(volatile.sub(b"~", data)).hexdigest()[:16]

    def wrap(app):
        def logged(environ, start_response):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            import io

            environ["wsgi.input"] = io.BytesIO(body)
            status = []

            def start(s, headers, exc_info=None):
                status.append(s.split(" ")[0])
                return start_response(s, headers, exc_info)

            chunks = list(app(environ, start))
            line = "\t".join(
                [
                    environ["REQUEST_METHOD"],
                    volatile.sub(b"~", environ.get("PATH_INFO", "").encode("latin-1")).decode("latin-1"),
                    digest(environ.get("QUERY_STRING", "").encode()),
                    digest(body),
                    status[0] if status else "?",
                    digest(b"".join(chunks)),
                ]
            )
            if requests is not None:
                heads = [(k[5:].replace("_", "-").title(), v) for k, v in environ.items() if k.startswith("HTTP_")]
                plain = [(k, environ.get(k)) for k in ("CONTENT_TYPE", "CONTENT_LENGTH")]
                heads += [(k.replace("_", "-").title(), v) for k, v in plain if v is not None]
                target = environ.get("RAW_URI") or environ.get("PATH_INFO", "")
                if environ.get("QUERY_STRING") and "?" not in target:
                    target += "?" + environ["QUERY_STRING"]
                record = {"method": environ["REQUEST_METHOD"], "target": target, "headers": heads}
                record["body"] = base64.b64encode(body).decode()
                with lock:
                    requests.write(json.dumps(record) + "\n")
            if full:
                line += "\t" + clean(body) + "\t" + clean(b"".join(chunks))
            with lock:
                out.write(line + "\n")
                out.flush()
            return chunks

        return logged

    run_wsgi = serving.WSGIRequestHandler.run_wsgi

    def logged_run_wsgi(self):
        if not getattr(self.server, "bm_logged", False):
            self.server.app = wrap(self.server.app)
            self.server.bm_logged = True
        return run_wsgi(self)

    serving.WSGIRequestHandler.run_wsgi = logged_run_wsgi


if __name__ == "__main__":
    # No log line per request: tests send tens of thousands, and nobody reads them.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # The Budgets and Service Quotas additions live beside this file.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import moto_extras  # noqa: F401,E402  (registers its operations on import)

    # Where botocore's API models are, for test/support/aws-model.ts (which would otherwise start a python3 to ask):
    # written where test/support/emulator.ts asks (its server's own temporary directory), and nowhere otherwise.
    if os.environ.get("BM_MOTO_BOTOCORE_DATA"):
        import botocore

        try:
            with open(os.environ["BM_MOTO_BOTOCORE_DATA"], "w") as f:
                f.write(os.path.join(os.path.dirname(botocore.__file__), "data"))
        except OSError:
            pass  # aws-model.ts then asks python3
    _add_snapshot_routes()
    _cheaper_requests()
    _models_once()
    _keep_alive()
    if os.environ.get("BM_MOTO_PLAIN") != "1":
        _less_per_request()
        _reused_threads()
        _metric_data_by_period()
        _faster_value_picker()
        _cached_routes()
        _faster_headers()
        from moto.moto_api._internal import urls

        urls.url_paths["{0}/moto-api/bm-selfcheck"] = bm_selfcheck
    if os.environ.get("BM_MOTO_PROFILE"):
        _profile_threads(os.environ["BM_MOTO_PROFILE"])
    if os.environ.get("BM_MOTO_RESPONSE_LOG"):
        _log_responses(os.environ["BM_MOTO_RESPONSE_LOG"])
    if os.environ.get("BM_MOTO_SEED"):
        # moto draws its IDs (role IDs, ARNs' suffixes, tokens) from mock_random: seeded, two servers sent the same
        # requests one at a time (test/support/moto_replay.py) draw the same IDs.
        from moto.moto_api._internal import mock_random

        mock_random.seed(int(os.environ["BM_MOTO_SEED"]))

    server.main(sys.argv[1:])
