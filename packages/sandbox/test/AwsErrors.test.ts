import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  CancelResourceRequestCommand,
  CreateResourceCommand,
  DeleteResourceCommand,
  GetResourceCommand,
  ListResourcesCommand,
  UpdateResourceCommand
} from "@aws-sdk/client-cloudcontrol"
import { DescribeTypeCommand } from "@aws-sdk/client-cloudformation"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Sandbox, startSandbox } from "../src/index.js"
import { clientsFor, unique, waitForRequest } from "./support.js"

/*
 * Each refusal is answered with the error code AWS answers, and that code is one the operation's botocore service
 * model lists (read from the project's boto3, `.venv/aws-clients`), or `ValidationException`, which Cloud Control
 * answers for a desired state that fails the type's schema.
 */

const clientsBin = fileURLToPath(new URL("../../../.venv/aws-clients/bin/", import.meta.url))
const python = existsSync(`${clientsBin}python`) ? `${clientsBin}python` : "python3"
const modelled: Record<string, ReadonlyArray<string>> = (() => {
  try {
    const out = execFileSync(
      python,
      [
        "-c",
        "import botocore.session, json; m = botocore.session.get_session().get_service_model('cloudcontrol'); " +
          "print(json.dumps({o: [e.name for e in m.operation_model(o).error_shapes] for o in m.operation_names}))"
      ],
      { encoding: "utf8" }
    )
    return JSON.parse(out) as Record<string, ReadonlyArray<string>>
  } catch (cause) {
    if (process.env["CI"]) throw new Error(`boto3 is not installed, and CI must run this test: ${String(cause)}`)
    return {}
  }
})()
const hasModels = Object.keys(modelled).length > 0

const PARAMETER = "AWS::SSM::Parameter"
let sandbox: Sandbox
let clients: ReturnType<typeof clientsFor>

beforeAll(async () => {
  sandbox = await startSandbox({ completionDelayMs: 1500 })
  clients = clientsFor(sandbox.url, "us-east-1", 1)
})
afterAll(() => sandbox.stop())

const errorOf = async (promise: Promise<unknown>): Promise<Error> => {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(outcome instanceof Error)) throw new Error("expected the call to be refused")
  return outcome
}

/** The error's name is the expected code, and the operation's model lists it. */
const expectModelled = (error: Error, operation: string, code: string) => {
  expect(error.name).toBe(code)
  if (code !== "ValidationException") expect(modelled[operation]).toContain(code)
}

describe.skipIf(!hasModels)("AWS's error codes, checked against the botocore models", () => {
  it("a desired state that fails the schema is a ValidationException", async () => {
    const error = await errorOf(
      clients.cloudControl.send(
        new CreateResourceCommand({
          TypeName: PARAMETER,
          DesiredState: JSON.stringify({ Name: unique("/bad"), Type: "String", Value: "v", Colour: "blue" })
        })
      )
    )
    expectModelled(error, "CreateResource", "ValidationException")
    expect(error.message).toContain("extraneous key [Colour]")
  })

  it("while a create is in flight, get is a ResourceConflictException; update and delete are ConcurrentOperationException", async () => {
    const name = unique("/inflight")
    const { ProgressEvent: started } = await clients.cloudControl.send(
      new CreateResourceCommand({
        TypeName: PARAMETER,
        DesiredState: JSON.stringify({ Name: name, Type: "String", Value: "v" })
      })
    )
    expect(started!.OperationStatus).toBe("IN_PROGRESS")
    expectModelled(
      await errorOf(clients.cloudControl.send(new GetResourceCommand({ TypeName: PARAMETER, Identifier: name }))),
      "GetResource",
      "ResourceConflictException"
    )
    expectModelled(
      await errorOf(
        clients.cloudControl.send(
          new UpdateResourceCommand({
            TypeName: PARAMETER,
            Identifier: name,
            PatchDocument: JSON.stringify([{ op: "replace", path: "/Value", value: "w" }])
          })
        )
      ),
      "UpdateResource",
      "ConcurrentOperationException"
    )
    expectModelled(
      await errorOf(clients.cloudControl.send(new DeleteResourceCommand({ TypeName: PARAMETER, Identifier: name }))),
      "DeleteResource",
      "ConcurrentOperationException"
    )
    const { event } = await waitForRequest(clients.cloudControl, started!.RequestToken!)
    expect(event.OperationStatus).toBe("SUCCESS")
    const { ResourceDescription } = await clients.cloudControl.send(
      new GetResourceCommand({ TypeName: PARAMETER, Identifier: name })
    )
    expect(ResourceDescription!.Identifier).toBe(name)
  })

  it("cancelling a finished request is a ConcurrentModificationException", async () => {
    const { ProgressEvent: started } = await clients.cloudControl.send(
      new CreateResourceCommand({
        TypeName: PARAMETER,
        DesiredState: JSON.stringify({ Name: unique("/cancel"), Type: "String", Value: "v" })
      })
    )
    await waitForRequest(clients.cloudControl, started!.RequestToken!)
    expectModelled(
      await errorOf(
        clients.cloudControl.send(new CancelResourceRequestCommand({ RequestToken: started!.RequestToken! }))
      ),
      "CancelResourceRequest",
      "ConcurrentModificationException"
    )
  })

  it("a NON_PROVISIONABLE type is refused with UnsupportedActionException, and DescribeType says so", async () => {
    const error = await errorOf(
      clients.cloudControl.send(
        new CreateResourceCommand({
          TypeName: "AWS::CodeCommit::Repository",
          DesiredState: JSON.stringify({ RepositoryName: "r" })
        })
      )
    )
    expectModelled(error, "CreateResource", "UnsupportedActionException")
    expectModelled(
      await errorOf(clients.cloudControl.send(new ListResourcesCommand({ TypeName: "AWS::CodeCommit::Repository" }))),
      "ListResources",
      "UnsupportedActionException"
    )
    const described = async (TypeName: string) =>
      (await clients.cloudFormation.send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName }))).ProvisioningType
    expect(await described("AWS::CodeCommit::Repository")).toBe("NON_PROVISIONABLE")
    expect(await described("AWS::ACMPCA::Certificate")).toBe("IMMUTABLE")
    expect(await described("AWS::S3::Bucket")).toBe("FULLY_MUTABLE")
    const schema = JSON.parse(
      (
        await clients.cloudFormation.send(
          new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::EKS::Nodegroup" })
        )
      ).Schema!
    ) as { handlers?: { list?: { handlerSchema?: { required?: ReadonlyArray<string> } } } }
    expect(schema.handlers?.list?.handlerSchema?.required).toEqual(["ClusterName"])
  })

  it("an IMMUTABLE type's update is refused with UnsupportedActionException before anything is looked up", async () => {
    expectModelled(
      await errorOf(
        clients.cloudControl.send(
          new UpdateResourceCommand({
            TypeName: "AWS::ACMPCA::Certificate",
            Identifier: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x|arn:x",
            PatchDocument: JSON.stringify([{ op: "replace", path: "/SigningAlgorithm", value: "SHA256WITHRSA" }])
          })
        )
      ),
      "UpdateResource",
      "UnsupportedActionException"
    )
  })

  it("a parent-scoped list without its parent is an InvalidRequestException naming the property; with it, a page", async () => {
    const error = await errorOf(
      clients.cloudControl.send(new ListResourcesCommand({ TypeName: "AWS::EKS::Nodegroup" }))
    )
    expectModelled(error, "ListResources", "InvalidRequestException")
    expect(error.message).toContain("ClusterName")
    const page = await clients.cloudControl.send(
      new ListResourcesCommand({ TypeName: "AWS::EKS::Nodegroup", ResourceModel: JSON.stringify({ ClusterName: "c" }) })
    )
    expect(page.ResourceDescriptions).toEqual([])
  })

  it("a subnet in a VPC that does not exist fails as the handler fails it (NotFound); in a real one it is created", async () => {
    const { ProgressEvent: bad } = await clients.cloudControl.send(
      new CreateResourceCommand({
        TypeName: "AWS::EC2::Subnet",
        DesiredState: JSON.stringify({ VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.0.0.0/24" })
      })
    )
    const failed = await waitForRequest(clients.cloudControl, bad!.RequestToken!)
    expect(failed.event.OperationStatus).toBe("FAILED")
    expect(failed.event.ErrorCode).toBe("NotFound")
    expect(failed.event.StatusMessage).toContain("vpc-0123456789abcdef0")
    const { ProgressEvent: vpc } = await clients.cloudControl.send(
      new CreateResourceCommand({
        TypeName: "AWS::EC2::VPC",
        DesiredState: JSON.stringify({ CidrBlock: "10.0.0.0/16" })
      })
    )
    const vpcId = (await waitForRequest(clients.cloudControl, vpc!.RequestToken!)).event.Identifier!
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/)
    const { ProgressEvent: good } = await clients.cloudControl.send(
      new CreateResourceCommand({
        TypeName: "AWS::EC2::Subnet",
        DesiredState: JSON.stringify({ VpcId: vpcId, CidrBlock: "10.0.0.0/24" })
      })
    )
    const created = await waitForRequest(clients.cloudControl, good!.RequestToken!)
    expect(created.event.OperationStatus).toBe("SUCCESS")
    expect(JSON.parse(created.event.ResourceModel!)).toMatchObject({ VpcId: vpcId, AvailabilityZone: "us-east-1a" })
    // The VPC exists in us-east-1 only: a subnet in eu-west-1 cannot use it, nor a forged id of the right shape.
    const elsewhere = clientsFor(sandbox.url, "eu-west-1", 1).cloudControl
    for (const VpcId of [vpcId, vpcId.replace(/.$/, (c) => (c === "0" ? "1" : "0"))]) {
      const client = VpcId === vpcId ? elsewhere : clients.cloudControl
      const { ProgressEvent: attempt } = await client.send(
        new CreateResourceCommand({
          TypeName: "AWS::EC2::Subnet",
          DesiredState: JSON.stringify({ VpcId, CidrBlock: "10.0.2.0/24" })
        })
      )
      const outcome = await waitForRequest(client, attempt!.RequestToken!)
      expect(outcome.event.OperationStatus).toBe("FAILED")
      expect(outcome.event.ErrorCode).toBe("NotFound")
    }
  })

  it("a real-format SQS QueueUrl gets the queue; an IAM role ARN has no region and keeps its path", async () => {
    const { ProgressEvent: queue } = await clients.cloudControl.send(
      new CreateResourceCommand({ TypeName: "AWS::SQS::Queue", DesiredState: JSON.stringify({ QueueName: "orders" }) })
    )
    const url = (await waitForRequest(clients.cloudControl, queue!.RequestToken!)).event.Identifier!
    expect(url).toBe("https://sqs.us-east-1.amazonaws.com/123456789012/orders")
    const { ResourceDescription } = await clients.cloudControl.send(
      new GetResourceCommand({ TypeName: "AWS::SQS::Queue", Identifier: url })
    )
    expect(JSON.parse(ResourceDescription!.Properties!)).toMatchObject({
      QueueUrl: url,
      Arn: "arn:aws:sqs:us-east-1:123456789012:orders"
    })
    const { ProgressEvent: role } = await clients.cloudControl.send(
      new CreateResourceCommand({
        TypeName: "AWS::IAM::Role",
        DesiredState: JSON.stringify({
          RoleName: "app",
          Path: "/service/",
          AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] }
        })
      })
    )
    const model = JSON.parse(
      (await waitForRequest(clients.cloudControl, role!.RequestToken!)).event.ResourceModel!
    ) as {
      Arn: string
    }
    expect(model.Arn).toBe("arn:aws:iam::123456789012:role/service/app")
  })
})
