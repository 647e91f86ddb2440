import {
  CancelResourceRequestCommand,
  ClientTokenConflictException,
  CreateResourceCommand,
  DeleteResourceCommand,
  GetResourceCommand,
  InvalidRequestException,
  ListResourceRequestsCommand,
  ListResourcesCommand,
  NotUpdatableException,
  paginateListResources,
  ResourceNotFoundException,
  TypeNotFoundException as CloudControlTypeNotFound,
  UpdateResourceCommand
} from "@aws-sdk/client-cloudcontrol"
import {
  CreateGeneratedTemplateCommand,
  DeleteGeneratedTemplateCommand,
  DescribeGeneratedTemplateCommand,
  DescribeTypeCommand,
  GeneratedTemplateNotFoundException,
  GetGeneratedTemplateCommand,
  ListGeneratedTemplatesCommand,
  TypeNotFoundException
} from "@aws-sdk/client-cloudformation"
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { parse as parseYaml } from "yaml"
import { parseResourceSchema } from "@ccapi/core"
import { type Sandbox, startSandbox } from "../src/index.js"
import { clientsFor, unique, waitForRequest } from "./support.js"

let sandbox: Sandbox
let clients: ReturnType<typeof clientsFor>

beforeAll(async () => {
  sandbox = await startSandbox({ completionDelayMs: 150 })
  clients = clientsFor(sandbox.url)
})
afterAll(() => sandbox.stop())

const PARAMETER = "AWS::SSM::Parameter"

const createParameter = async (name: string, value = "v1") => {
  const { ProgressEvent: started } = await clients.cloudControl.send(
    new CreateResourceCommand({
      TypeName: PARAMETER,
      DesiredState: JSON.stringify({ Name: name, Type: "String", Value: value })
    })
  )
  return { started: started!, ...(await waitForRequest(clients.cloudControl, started!.RequestToken!)) }
}

describe("Cloud Control over HTTP with the AWS SDK v3", () => {
  it("binds loopback and answers on an ephemeral port", () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sandbox.port).toBeGreaterThan(0)
  })

  it("a create goes IN_PROGRESS, then SUCCESS through GetResourceRequestStatus, and the resource can be read", async () => {
    const name = unique("/ccapi/sdk")
    const { started, event, seen } = await createParameter(name)
    expect(started.OperationStatus).toBe("IN_PROGRESS")
    expect(started.Operation).toBe("CREATE")
    expect(started.EventTime).toBeInstanceOf(Date)
    expect(seen[0]).toBe("IN_PROGRESS")
    expect(event.OperationStatus).toBe("SUCCESS")
    expect(event.Identifier).toBe(name)
    const { ResourceDescription } = await clients.cloudControl.send(
      new GetResourceCommand({ TypeName: PARAMETER, Identifier: name })
    )
    expect(JSON.parse(ResourceDescription!.Properties!)).toMatchObject({ Name: name, Type: "String", Value: "v1" })
  })

  it("generates read-only attributes the schema names (a bucket's Arn)", async () => {
    const bucket = unique("ccapi-sdk-bucket")
    const { ProgressEvent: started } = await clients.cloudControl.send(
      new CreateResourceCommand({ TypeName: "AWS::S3::Bucket", DesiredState: JSON.stringify({ BucketName: bucket }) })
    )
    const { event } = await waitForRequest(clients.cloudControl, started!.RequestToken!)
    expect(event.OperationStatus).toBe("SUCCESS")
    const { ResourceDescription } = await clients.cloudControl.send(
      new GetResourceCommand({ TypeName: "AWS::S3::Bucket", Identifier: bucket })
    )
    const properties = JSON.parse(ResourceDescription!.Properties!) as { BucketName: string; Arn: string }
    expect(properties.BucketName).toBe(bucket)
    expect(properties.Arn).toMatch(new RegExp(`^arn:aws:s3:.*${bucket}$`))
  })

  it("lists every resource across pages with MaxResults and NextToken", async () => {
    const prefix = unique("/ccapi/page")
    const names = [1, 2, 3, 4, 5].map((i) => `${prefix}/${i}`)
    await Promise.all(names.map((name) => createParameter(name)))
    const first = await clients.cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER, MaxResults: 2 }))
    expect(first.ResourceDescriptions).toHaveLength(2)
    expect(first.NextToken).toBeDefined()
    const listed: Array<string> = []
    for await (const page of paginateListResources(
      { client: clients.cloudControl, pageSize: 2 },
      { TypeName: PARAMETER }
    )) {
      listed.push(...page.ResourceDescriptions!.map((r) => r.Identifier!))
    }
    expect(listed).toEqual(expect.arrayContaining(names))
    expect(new Set(listed).size).toBe(listed.length)
  })

  it("updates with a JSON Patch, then deletes; reading a deleted resource is ResourceNotFoundException", async () => {
    const name = unique("/ccapi/update")
    await createParameter(name)
    const { ProgressEvent: updating } = await clients.cloudControl.send(
      new UpdateResourceCommand({
        TypeName: PARAMETER,
        Identifier: name,
        PatchDocument: JSON.stringify([{ op: "replace", path: "/Value", value: "v2" }])
      })
    )
    expect(updating!.Operation).toBe("UPDATE")
    expect((await waitForRequest(clients.cloudControl, updating!.RequestToken!)).event.OperationStatus).toBe("SUCCESS")
    const { ResourceDescription } = await clients.cloudControl.send(
      new GetResourceCommand({ TypeName: PARAMETER, Identifier: name })
    )
    expect(JSON.parse(ResourceDescription!.Properties!).Value).toBe("v2")

    const { ProgressEvent: deleting } = await clients.cloudControl.send(
      new DeleteResourceCommand({ TypeName: PARAMETER, Identifier: name })
    )
    expect((await waitForRequest(clients.cloudControl, deleting!.RequestToken!)).event.OperationStatus).toBe("SUCCESS")
    const error = await clients.cloudControl
      .send(new GetResourceCommand({ TypeName: PARAMETER, Identifier: name }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
  })

  it("a duplicate create ends FAILED with the AlreadyExists error code", async () => {
    const name = unique("/ccapi/dup")
    await createParameter(name)
    const { event } = await createParameter(name, "other")
    expect(event.OperationStatus).toBe("FAILED")
    expect(event.ErrorCode).toBe("AlreadyExists")
    expect(event.StatusMessage).toContain("already exists")
  })

  it("a desired state that breaks the schema is a ValidationException naming the property", async () => {
    const error = await clients.cloudControl
      .send(
        new CreateResourceCommand({
          TypeName: PARAMETER,
          DesiredState: JSON.stringify({ Name: unique("/ccapi/bad"), Type: "String", Value: "v", Colour: "blue" })
        })
      )
      .catch((e: unknown) => e)
    expect((error as Error).name).toBe("ValidationException")
    expect((error as Error).message).toContain("Colour")
  })

  /** A new parameter (named from `prefix`) patched with `patch(name)`: the error the update is refused with. */
  const refusedPatch = async (prefix: string, patch: (name: string) => Array<Record<string, unknown>>) => {
    const name = unique(prefix)
    await createParameter(name)
    return clients.cloudControl
      .send(
        new UpdateResourceCommand({ TypeName: PARAMETER, Identifier: name, PatchDocument: JSON.stringify(patch(name)) })
      )
      .catch((e: unknown) => e)
  }

  it("changing a create-only property is a NotUpdatableException", async () => {
    const error = await refusedPatch("/ccapi/rename", (name) => [
      { op: "replace", path: "/Name", value: `${name}-renamed` }
    ])
    expect(error).toBeInstanceOf(NotUpdatableException)
  })

  it("a patch document that is not an RFC 6902 array is an InvalidRequestException saying why", async () => {
    const error = await refusedPatch("/ccapi/badpatch", () => [{ op: "rename", path: "/Value" }])
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect((error as Error).message).toMatch(/^PatchDocument is not an RFC 6902 JSON Patch array: \S/)
  })

  it("an unknown type is TypeNotFoundException; a malformed one is a ValidationException", async () => {
    const unknown = await clients.cloudControl
      .send(new ListResourcesCommand({ TypeName: "AWS::Nope::Nothing" }))
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(CloudControlTypeNotFound)
    const malformed = await clients.cloudControl
      .send(new GetResourceCommand({ TypeName: "S3Bucket", Identifier: "x" }))
      .catch((e: unknown) => e)
    expect((malformed as Error).name).toBe("ValidationException")
  })

  it("a retried ClientToken returns the same request; reused for another request it is a ClientTokenConflictException", async () => {
    const token = unique("token")
    const send = (value: string, name: string) =>
      clients.cloudControl.send(
        new CreateResourceCommand({
          TypeName: PARAMETER,
          ClientToken: token,
          DesiredState: JSON.stringify({ Name: name, Type: "String", Value: value })
        })
      )
    const name = unique("/ccapi/idem")
    const first = await send("v", name)
    const again = await send("v", name)
    expect(again.ProgressEvent!.RequestToken).toBe(first.ProgressEvent!.RequestToken)
    const conflict = await send("other", name).catch((e: unknown) => e)
    expect(conflict).toBeInstanceOf(ClientTokenConflictException)
  })

  it("ListResourceRequests lists this region's requests, filtered by operation", async () => {
    const name = unique("/ccapi/requests")
    const { started } = await createParameter(name)
    const { ResourceRequestStatusSummaries } = await clients.cloudControl.send(
      new ListResourceRequestsCommand({ ResourceRequestStatusFilter: { Operations: ["CREATE"] }, MaxResults: 100 })
    )
    const summaries = ResourceRequestStatusSummaries ?? []
    expect(summaries.map((s) => s.RequestToken)).toContain(started.RequestToken)
    expect(summaries.every((s) => s.Operation === "CREATE")).toBe(true)
  })

  it("CancelResourceRequest on a finished request is refused; on an unknown token it is RequestTokenNotFoundException", async () => {
    const { started } = await createParameter(unique("/ccapi/cancel"))
    const finished = await clients.cloudControl
      .send(new CancelResourceRequestCommand({ RequestToken: started.RequestToken! }))
      .catch((e: unknown) => e)
    expect((finished as Error).name).toBe("ConcurrentModificationException")
    const missing = await clients.cloudControl
      .send(new CancelResourceRequestCommand({ RequestToken: "no-such-request" }))
      .catch((e: unknown) => e)
    expect((missing as Error).name).toBe("RequestTokenNotFoundException")
  })

  it("keeps each region's resources apart (the region comes from the request's signature)", async () => {
    const name = unique("/ccapi/region")
    await createParameter(name)
    const elsewhere = clientsFor(sandbox.url, "eu-central-1")
    const error = await elsewhere.cloudControl
      .send(new GetResourceCommand({ TypeName: PARAMETER, Identifier: name }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
  })
})

describe("CloudFormation and STS over HTTP with the AWS SDK v3", () => {
  it("DescribeType returns the provider schema, which the core parses", async () => {
    const out = await clients.cloudFormation.send(
      new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::S3::Bucket" })
    )
    expect(out.TypeName).toBe("AWS::S3::Bucket")
    expect(out.Visibility).toBe("PUBLIC")
    expect(out.ProvisioningType).toBe("FULLY_MUTABLE")
    expect(out.Arn).toBe("arn:aws:cloudformation:us-west-2::type/resource/AWS-S3-Bucket")
    const schema = Result.getOrThrow(parseResourceSchema(out.Schema!))
    expect(schema.primaryIdentifierNames).toEqual(["BucketName"])
    expect(schema.tagging.shape).toBe("list")
    expect(schema.readOnlyProperties).toContain("/properties/Arn")
  })

  it("DescribeType of a type that does not exist is TypeNotFoundException", async () => {
    const error = await clients.cloudFormation
      .send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::S3::Buckett" }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeNotFoundException)
    expect((error as TypeNotFoundException).$metadata.httpStatusCode).toBe(404)
  })

  it("GetCallerIdentity names the sandbox account", async () => {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}))
    expect(out.Account).toBe("123456789012")
    expect(out.Arn).toBe("arn:aws:iam::123456789012:user/sandbox")
    expect(out.UserId).toBeTruthy()
  })

  it("the IaC generator makes a template from live resources: create, poll, fetch JSON and YAML, list, delete", async () => {
    const bucket = unique("ccapi-iac")
    const { ProgressEvent: started } = await clients.cloudControl.send(
      new CreateResourceCommand({ TypeName: "AWS::S3::Bucket", DesiredState: JSON.stringify({ BucketName: bucket }) })
    )
    await waitForRequest(clients.cloudControl, started!.RequestToken!)
    const name = unique("template")
    const { GeneratedTemplateId } = await clients.cloudFormation.send(
      new CreateGeneratedTemplateCommand({
        GeneratedTemplateName: name,
        Resources: [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: bucket } }],
        TemplateConfiguration: { DeletionPolicy: "DELETE", UpdateReplacePolicy: "RETAIN" }
      })
    )
    expect(GeneratedTemplateId).toMatch(/^arn:aws:cloudformation:us-west-2:123456789012:generatedtemplate\//i)

    let described = await clients.cloudFormation.send(
      new DescribeGeneratedTemplateCommand({ GeneratedTemplateName: GeneratedTemplateId })
    )
    for (let i = 0; i < 100 && described.Status !== "COMPLETE" && described.Status !== "FAILED"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      described = await clients.cloudFormation.send(
        new DescribeGeneratedTemplateCommand({ GeneratedTemplateName: name })
      )
    }
    expect(described.Status).toBe("COMPLETE")
    expect(described.GeneratedTemplateName).toBe(name)
    expect(described.TemplateConfiguration).toEqual({ DeletionPolicy: "DELETE", UpdateReplacePolicy: "RETAIN" })
    expect(described.Resources?.[0]).toMatchObject({
      ResourceType: "AWS::S3::Bucket",
      ResourceIdentifier: { BucketName: bucket },
      ResourceStatus: "COMPLETE"
    })

    const json = await clients.cloudFormation.send(
      new GetGeneratedTemplateCommand({ GeneratedTemplateName: GeneratedTemplateId, Format: "JSON" })
    )
    const template = JSON.parse(json.TemplateBody!) as {
      Resources: Record<string, { Type: string; Properties: object }>
    }
    const logicalId = described.Resources![0]!.LogicalResourceId!
    expect(template.Resources[logicalId]).toMatchObject({ Type: "AWS::S3::Bucket", Properties: { BucketName: bucket } })
    const yaml = await clients.cloudFormation.send(
      new GetGeneratedTemplateCommand({ GeneratedTemplateName: name, Format: "YAML" })
    )
    expect(parseYaml(yaml.TemplateBody!)).toEqual(template)

    const listed = await clients.cloudFormation.send(new ListGeneratedTemplatesCommand({}))
    expect(listed.Summaries?.map((s) => s.GeneratedTemplateName)).toContain(name)

    await clients.cloudFormation.send(new DeleteGeneratedTemplateCommand({ GeneratedTemplateName: name }))
    const gone = await clients.cloudFormation
      .send(new DescribeGeneratedTemplateCommand({ GeneratedTemplateName: GeneratedTemplateId }))
      .catch((e: unknown) => e)
    expect(gone).toBeInstanceOf(GeneratedTemplateNotFoundException)
  })

  it("a second generated template with the same name is refused", async () => {
    const name = unique("template")
    const create = () =>
      clients.cloudFormation.send(
        new CreateGeneratedTemplateCommand({
          GeneratedTemplateName: name,
          Resources: [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: unique("any") } }]
        })
      )
    await create()
    const error = await create().catch((e: unknown) => e)
    expect((error as Error).name).toBe("AlreadyExistsException")
  })
})
