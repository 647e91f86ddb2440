"""Drive a running ccapi sandbox with boto3, a client nobody here wrote.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:N python3 boto3_roundtrip.py
Creates, reads, lists, updates and deletes an SSM parameter through Cloud Control, calls DescribeType and
GetCallerIdentity, and prints one JSON line describing what it saw. Exits non-zero on the first surprise.
"""

import json
import os
import sys
import time

import boto3
from botocore.config import Config

endpoint = os.environ.get("AWS_ENDPOINT_URL") or sys.argv[1]
session = boto3.session.Session(
    aws_access_key_id="AKIDSANDBOX", aws_secret_access_key="sandbox-secret", region_name="eu-west-1"
)
config = Config(retries={"max_attempts": 3, "mode": "standard"})
cloudcontrol = session.client("cloudcontrol", endpoint_url=endpoint, config=config)
cloudformation = session.client("cloudformation", endpoint_url=endpoint, config=config)
sts = session.client("sts", endpoint_url=endpoint, config=config)

TYPE = "AWS::SSM::Parameter"
NAME = "/ccapi/boto3-roundtrip"


def check(condition, message):
    if not condition:
        print(f"boto3_roundtrip: {message}", file=sys.stderr)
        sys.exit(1)


def wait(request_token):
    seen = []
    for _ in range(200):
        event = cloudcontrol.get_resource_request_status(RequestToken=request_token)["ProgressEvent"]
        seen.append(event["OperationStatus"])
        if event["OperationStatus"] in ("SUCCESS", "FAILED", "CANCEL_COMPLETE"):
            return event, seen
        time.sleep(0.05)
    check(False, f"request {request_token} never completed")


identity = sts.get_caller_identity()
check(identity["Account"] == "123456789012", f"unexpected account {identity['Account']}")

described = cloudformation.describe_type(Type="RESOURCE", TypeName=TYPE)
schema = json.loads(described["Schema"])
check(schema["typeName"] == TYPE, "DescribeType returned another type's schema")
check("/properties/Name" in schema["primaryIdentifier"], "the SSM parameter schema lost its primary identifier")

created = cloudcontrol.create_resource(
    TypeName=TYPE, DesiredState=json.dumps({"Name": NAME, "Type": "String", "Value": "first"})
)["ProgressEvent"]
check(created["OperationStatus"] == "IN_PROGRESS", f"create began {created['OperationStatus']}")
done, statuses = wait(created["RequestToken"])
check(done["OperationStatus"] == "SUCCESS", f"create ended {done}")
identifier = done["Identifier"]
check(identifier == NAME, f"identifier {identifier}")

got = cloudcontrol.get_resource(TypeName=TYPE, Identifier=identifier)["ResourceDescription"]
check(json.loads(got["Properties"])["Value"] == "first", "GetResource did not return the created value")

listed = [
    r["Identifier"]
    for page in cloudcontrol.get_paginator("list_resources").paginate(TypeName=TYPE)
    for r in page["ResourceDescriptions"]
]
check(identifier in listed, f"ListResources did not list {identifier}: {listed}")

updated = cloudcontrol.update_resource(
    TypeName=TYPE,
    Identifier=identifier,
    PatchDocument=json.dumps([{"op": "replace", "path": "/Value", "value": "second"}]),
)["ProgressEvent"]
done, _ = wait(updated["RequestToken"])
check(done["OperationStatus"] == "SUCCESS", f"update ended {done}")
got = cloudcontrol.get_resource(TypeName=TYPE, Identifier=identifier)["ResourceDescription"]
check(json.loads(got["Properties"])["Value"] == "second", "the update did not change Value")

deleted = cloudcontrol.delete_resource(TypeName=TYPE, Identifier=identifier)["ProgressEvent"]
done, _ = wait(deleted["RequestToken"])
check(done["OperationStatus"] == "SUCCESS", f"delete ended {done}")

try:
    cloudcontrol.get_resource(TypeName=TYPE, Identifier=identifier)
    check(False, "the deleted parameter can still be read")
except cloudcontrol.exceptions.ResourceNotFoundException as error:
    missing = error.response["Error"]["Code"]

try:
    cloudformation.describe_type(Type="RESOURCE", TypeName="AWS::Nope::Nothing")
    check(False, "DescribeType found a type that does not exist")
except cloudformation.exceptions.TypeNotFoundException as error:
    type_missing = error.response["Error"]["Code"]

print(
    json.dumps(
        {
            "account": identity["Account"],
            "arn": identity["Arn"],
            "createStatuses": statuses,
            "identifier": identifier,
            "listed": len(listed),
            "afterDelete": missing,
            "unknownType": type_missing,
        }
    )
)
