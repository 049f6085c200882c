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
# saves a deep copy of every service's data, POST /moto-api/bm-restore?name=N resets moto and puts a fresh copy
# of it back (404 when there is no such snapshot). One deepcopy for all services keeps references between them.
SNAPSHOTS = {}
MAX_SNAPSHOTS = 8


def _registered():
    from moto.core.base_backend import BackendDict

    return list(dict.fromkeys(BackendDict._instances))


def _state(dicts):
    from moto.s3.models import s3_backends

    return {"data": [dict(bd) for bd in dicts], "s3_bucket_accounts": dict(getattr(s3_backends, "bucket_accounts", {}))}


def _snapshot_response(self, request, full_url, headers):
    import copy
    import json as _json
    from urllib.parse import parse_qs, urlparse

    name = parse_qs(urlparse(full_url).query).get("name", [""])[0]
    if request.method != "POST" or not name:
        return 400, {}, _json.dumps({"Error": "POST with ?name="})
    if full_url.split("?")[0].endswith("/bm-snapshot"):
        dicts = _registered()
        SNAPSHOTS.pop(name, None)
        while len(SNAPSHOTS) >= MAX_SNAPSHOTS:
            SNAPSHOTS.pop(next(iter(SNAPSHOTS)))
        SNAPSHOTS[name] = (dicts, copy.deepcopy(_state(dicts)))
        return 200, {}, _json.dumps({"status": "ok"})
    if name not in SNAPSHOTS:
        return 404, {}, _json.dumps({"Error": f"no snapshot {name}"})
    from moto.core.base_backend import BackendDict
    from moto.moto_api._internal.models import moto_api_backend
    from moto.s3.models import s3_backends

    moto_api_backend.reset()
    dicts, saved = SNAPSHOTS[name]
    state = copy.deepcopy(saved)
    for bd, data in zip(dicts, state["data"]):
        for account, backend in data.items():
            dict.__setitem__(bd, account, backend)
        BackendDict._instances.append(bd)
    if hasattr(s3_backends, "bucket_accounts"):
        s3_backends.bucket_accounts.clear()
        s3_backends.bucket_accounts.update(state["s3_bucket_accounts"])
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


class _MotoModels:
    """What botocore_validate.validate needs of a botocore Session (get_service_model), from moto's cache."""

    @staticmethod
    def get_service_model(service_name):
        from moto.core import utils

        return utils.get_service_model(service_name)


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
    after 1 s", so the test helpers' own connections do not linger."""
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
            KEEP_ALIVE.on = not chunked and not self.close_connection and (length or "0").isdigit()
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


if __name__ == "__main__":
    # No log line per request: tests send tens of thousands, and nobody reads them.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # The Budgets and Service Quotas additions live beside this file.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import moto_extras  # noqa: F401,E402  (registers its operations on import)

    _add_snapshot_routes()
    _cheaper_requests()
    _models_once()
    _keep_alive()

    server.main(sys.argv[1:])
