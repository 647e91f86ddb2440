"""Conformance: every operation the sandbox answers, called with boto3, each answer checked against botocore's shapes.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:N python3 conformance.py
For each operation: the parsed response must satisfy its output shape (required members present, every value of the
modelled type, enums within their values, strings within their length limits); for the JSON protocol (Cloud Control)
the raw body may hold no member the model does not name; an error's code must be one the operation models (or a
common one). Prints one JSON line: {"operations": [...checked...], "problems": [...]} and exits 1 on any problem.
"""

import datetime
import json
import os
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ.get("AWS_ENDPOINT_URL") or sys.argv[1]
session = boto3.session.Session(aws_access_key_id="AKIDCONF", aws_secret_access_key="conf", region_name="us-east-1")
config = Config(retries={"max_attempts": 1})
clients = {name: session.client(name, endpoint_url=endpoint, config=config) for name in ("cloudcontrol", "cloudformation", "sts")}
problems = []
checked = []
raw_bodies = {}
COMMON = {"ValidationException", "ValidationError", "ThrottlingException", "Throttling", "InternalFailure"}


def capture(http_response, model, **_):
    raw_bodies[model.name] = http_response.content


for client in clients.values():
    client.meta.events.register("after-call", lambda http_response, model, **kw: capture(http_response, model))


def validate(shape, value, path, top=False):
    if shape is None:
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return problems.append(f"{path}: expected a structure, got {type(value).__name__}")
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}: required member {name} is missing")
        for name, member in value.items():
            if name == "ResponseMetadata" and top:
                continue
            if name not in shape.members:
                problems.append(f"{path}.{name}: not in the model")
                continue
            validate(shape.members[name], member, f"{path}.{name}")
    elif kind == "list":
        if not isinstance(value, list):
            return problems.append(f"{path}: expected a list")
        for i, item in enumerate(value):
            validate(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            return problems.append(f"{path}: expected a map")
        for key, item in value.items():
            validate(shape.key, key, f"{path}<key>")
            validate(shape.value, item, f"{path}.{key}")
    elif kind == "string":
        if not isinstance(value, str):
            return problems.append(f"{path}: expected a string, got {type(value).__name__}")
        enum = shape.enum
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {enum}")
        limits = shape.metadata
        if "min" in limits and len(value) < limits["min"]:
            problems.append(f"{path}: shorter than {limits['min']}")
        if "max" in limits and len(value) > limits["max"]:
            problems.append(f"{path}: longer than {limits['max']}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean, got {value!r}")
    elif kind == "timestamp":
        if not isinstance(value, datetime.datetime):
            problems.append(f"{path}: expected a timestamp, got {value!r}")
    elif kind in ("double", "float"):
        if not isinstance(value, (int, float)):
            problems.append(f"{path}: expected a number")


def unknown_json_members(shape, value, path):
    if shape is None:
        return
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in value.items():
            if name not in shape.members:
                problems.append(f"raw {path}.{name}: not in the model")
            else:
                unknown_json_members(shape.members[name], member, f"{path}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            unknown_json_members(shape.member, item, path + "[]")


def call(service, operation, **params):
    client = clients[service]
    model = client.meta.service_model.operation_model(operation)
    method = getattr(client, "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_"))
    try:
        out = method(**params)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        modelled = {s.metadata.get("error", {}).get("code", s.name) for s in model.error_shapes} | {s.name for s in model.error_shapes}
        if code not in modelled | COMMON:
            problems.append(f"{service}.{operation}: error {code} is not in the operation's model ({sorted(modelled)})")
        checked.append(f"{service}.{operation}!{code}")
        return None
    validate(model.output_shape, out, f"{service}.{operation}", top=True)
    if service == "cloudcontrol" and raw_bodies.get(operation):
        unknown_json_members(model.output_shape, json.loads(raw_bodies[operation]), f"{service}.{operation}")
    checked.append(f"{service}.{operation}")
    return out


def wait(token):
    for _ in range(200):
        event = call("cloudcontrol", "GetResourceRequestStatus", RequestToken=token)["ProgressEvent"]
        if event["OperationStatus"] != "IN_PROGRESS":
            return event
        time.sleep(0.05)
    raise SystemExit("request never finished")


# Cloud Control: all eight operations, and their refusals.
started = call("cloudcontrol", "CreateResource", TypeName="AWS::SQS::Queue", DesiredState=json.dumps({"QueueName": "conformance"}))
url = wait(started["ProgressEvent"]["RequestToken"])["Identifier"]
call("cloudcontrol", "GetResource", TypeName="AWS::SQS::Queue", Identifier=url)
call("cloudcontrol", "ListResources", TypeName="AWS::SQS::Queue", MaxResults=1)
updated = call("cloudcontrol", "UpdateResource", TypeName="AWS::SQS::Queue", Identifier=url, PatchDocument=json.dumps([{"op": "add", "path": "/DelaySeconds", "value": 5}]))
wait(updated["ProgressEvent"]["RequestToken"])
call("cloudcontrol", "ListResourceRequests", ResourceRequestStatusFilter={"Operations": ["CREATE", "UPDATE"]})
call("cloudcontrol", "CancelResourceRequest", RequestToken=updated["ProgressEvent"]["RequestToken"])
deleting = call("cloudcontrol", "DeleteResource", TypeName="AWS::SQS::Queue", Identifier=url)
call("cloudcontrol", "CancelResourceRequest", RequestToken=deleting["ProgressEvent"]["RequestToken"])
call("cloudcontrol", "GetResource", TypeName="AWS::SQS::Queue", Identifier="https://sqs.us-east-1.amazonaws.com/123456789012/nope")
call("cloudcontrol", "CreateResource", TypeName="AWS::SSM::Parameter", DesiredState=json.dumps({"Type": "String"}))
call("cloudcontrol", "CreateResource", TypeName="AWS::CodeCommit::Repository", DesiredState=json.dumps({"RepositoryName": "r"}))
call("cloudcontrol", "ListResources", TypeName="AWS::EKS::Nodegroup")
call("cloudcontrol", "GetResourceRequestStatus", RequestToken="no-such-token")
vpc = wait(call("cloudcontrol", "CreateResource", TypeName="AWS::EC2::VPC", DesiredState=json.dumps({"CidrBlock": "10.0.0.0/16"}))["ProgressEvent"]["RequestToken"])["Identifier"]

# CloudFormation: the registry, the IaC Generator and its scans.
call("cloudformation", "DescribeType", Type="RESOURCE", TypeName="AWS::EKS::Nodegroup")
call("cloudformation", "DescribeType", Type="RESOURCE", TypeName="AWS::Nope::Nothing")
call("cloudformation", "ListTypes", Visibility="PUBLIC", Filters={"TypeNamePrefix": "AWS::SQS::"}, MaxResults=2)
scan = call("cloudformation", "StartResourceScan")["ResourceScanId"]
call("cloudformation", "ListResourceScanResources", ResourceScanId=scan)
for _ in range(200):
    if call("cloudformation", "DescribeResourceScan", ResourceScanId=scan)["Status"] == "COMPLETE":
        break
    time.sleep(0.05)
call("cloudformation", "ListResourceScans")
call("cloudformation", "ListResourceScanResources", ResourceScanId=scan)
call("cloudformation", "ListResourceScanRelatedResources", ResourceScanId=scan, Resources=[{"ResourceType": "AWS::EC2::VPC", "ResourceIdentifier": {"VpcId": vpc}}])
call("cloudformation", "DescribeResourceScan", ResourceScanId="arn:aws:cloudformation:us-east-1:123456789012:resourceScan/none")
call("cloudformation", "CreateGeneratedTemplate", GeneratedTemplateName="conformance")
call("cloudformation", "UpdateGeneratedTemplate", GeneratedTemplateName="conformance", AddResources=[{"ResourceType": "AWS::EC2::VPC", "ResourceIdentifier": {"VpcId": vpc}}])
call("cloudformation", "GetGeneratedTemplate", GeneratedTemplateName="conformance")
for _ in range(200):
    if call("cloudformation", "DescribeGeneratedTemplate", GeneratedTemplateName="conformance")["Status"] == "COMPLETE":
        break
    time.sleep(0.05)
call("cloudformation", "GetGeneratedTemplate", GeneratedTemplateName="conformance", Format="YAML")
call("cloudformation", "ListGeneratedTemplates")
call("cloudformation", "DeleteGeneratedTemplate", GeneratedTemplateName="conformance")
call("cloudformation", "DescribeGeneratedTemplate", GeneratedTemplateName="conformance")

call("sts", "GetCallerIdentity")

print(json.dumps({"operations": checked, "problems": problems}))
sys.exit(1 if problems else 0)
