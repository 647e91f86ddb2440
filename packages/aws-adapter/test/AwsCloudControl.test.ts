import { ClientToken, CloudControl, identifier, region, RequestToken, typeName } from "@ccapi/core"
import * as Sdk from "@aws-sdk/client-cloudcontrol"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer } from "effect"
import { vi } from "vitest"
import { AwsCloudControl } from "../src/index.js"
import { Mocks, mocksLayer, regionOf, testLayer, testOptions } from "./support.js"

const bucket = typeName("AWS::S3::Bucket")
const usEast1 = region("us-east-1")
const euWest1 = region("eu-west-1")
const token = ClientToken.make("plan-abc123")
const requestToken = RequestToken.make("req-1")

const event = (extra: Partial<Sdk.ProgressEvent> = {}): Sdk.ProgressEvent => ({
  TypeName: "AWS::S3::Bucket",
  Identifier: "my-bucket",
  RequestToken: "req-1",
  Operation: "CREATE",
  OperationStatus: "IN_PROGRESS",
  EventTime: new Date(1_700_000_000_000),
  RetryAfter: new Date(1_700_000_005_000),
  ...extra
})

describe("AwsCloudControl", () => {
  it.effect("create sends the desired state as a JSON string with the caller's client token", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.CreateResourceCommand).resolves({
        ProgressEvent: event({ ResourceModel: JSON.stringify({ BucketName: "my-bucket" }) })
      })
      const cloud = yield* CloudControl
      const desiredState = { BucketName: "my-bucket", Tags: [{ Key: "MANAGED_BY", Value: "CCAPI-MCP-SERVER" }] }
      const progress = yield* cloud.create({ typeName: bucket, desiredState, clientToken: token, region: usEast1 })

      const input = cc.commandCalls(Sdk.CreateResourceCommand)[0]!.args[0].input
      assert.deepStrictEqual(input, {
        TypeName: "AWS::S3::Bucket",
        DesiredState: JSON.stringify(desiredState),
        ClientToken: "plan-abc123"
      })
      assert.strictEqual(progress.requestToken, "req-1")
      assert.strictEqual(progress.status, "IN_PROGRESS")
      assert.strictEqual(progress.eventTime, 1_700_000_000_000)
      assert.strictEqual(progress.retryAfter, 1_700_000_005_000)
      assert.deepStrictEqual(progress.resourceModel, { BucketName: "my-bucket" })
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("update sends the RFC 6902 patch as a JSON string", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.UpdateResourceCommand).resolves({ ProgressEvent: event({ Operation: "UPDATE" }) })
      const cloud = yield* CloudControl
      const patch = [
        { op: "replace" as const, path: "/VersioningConfiguration/Status", value: "Enabled" },
        { op: "remove" as const, path: "/Tags/0" }
      ]
      const progress = yield* cloud.update({
        typeName: bucket,
        identifier: identifier("my-bucket"),
        patch,
        clientToken: token,
        region: usEast1
      })
      const input = cc.commandCalls(Sdk.UpdateResourceCommand)[0]!.args[0].input
      assert.deepStrictEqual(input, {
        TypeName: "AWS::S3::Bucket",
        Identifier: "my-bucket",
        PatchDocument: JSON.stringify(patch),
        ClientToken: "plan-abc123"
      })
      assert.deepStrictEqual(JSON.parse(input.PatchDocument!), patch)
      assert.strictEqual(progress.operation, "UPDATE")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("delete sends the identifier and client token", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.DeleteResourceCommand).resolves({ ProgressEvent: event({ Operation: "DELETE" }) })
      const cloud = yield* CloudControl
      yield* cloud.delete({
        typeName: bucket,
        identifier: identifier("my-bucket"),
        clientToken: token,
        region: usEast1
      })
      assert.deepStrictEqual(cc.commandCalls(Sdk.DeleteResourceCommand)[0]!.args[0].input, {
        TypeName: "AWS::S3::Bucket",
        Identifier: "my-bucket",
        ClientToken: "plan-abc123"
      })
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("get parses the Properties JSON string", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.GetResourceCommand, { TypeName: "AWS::S3::Bucket", Identifier: "my-bucket" }).resolves({
        TypeName: "AWS::S3::Bucket",
        ResourceDescription: {
          Identifier: "my-bucket",
          Properties: '{"BucketName":"my-bucket","Arn":"arn:aws:s3:::my-bucket"}'
        }
      })
      const cloud = yield* CloudControl
      const resource = yield* cloud.get({ typeName: bucket, identifier: identifier("my-bucket"), region: usEast1 })
      assert.strictEqual(resource.identifier, "my-bucket")
      assert.deepStrictEqual(resource.properties, { BucketName: "my-bucket", Arn: "arn:aws:s3:::my-bucket" })
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("list pages with NextToken and MaxResults, and sends the parent ResourceModel as a JSON string", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      const apiType = typeName("AWS::ApiGateway::Resource")
      const describe = (id: string) => ({ Identifier: id, Properties: JSON.stringify({ ResourceId: id }) })
      cc.on(Sdk.ListResourcesCommand)
        .resolves({ ResourceDescriptions: [describe("a"), describe("b")], NextToken: "t1" })
        .on(Sdk.ListResourcesCommand, { NextToken: "t1" })
        .resolves({ ResourceDescriptions: [], NextToken: "t2" })
        .on(Sdk.ListResourcesCommand, { NextToken: "t2" })
        .resolves({ ResourceDescriptions: [describe("c")] })
      const cloud = yield* CloudControl
      const seen: Array<string> = []
      let nextToken: string | undefined
      let pages = 0
      do {
        const page = yield* cloud.list({
          typeName: apiType,
          region: usEast1,
          nextToken,
          maxResults: 2,
          resourceModel: { RestApiId: "abc123" }
        })
        seen.push(...page.resources.map((r) => r.identifier))
        nextToken = page.nextToken
        pages++
      } while (nextToken !== undefined && pages < 10)

      assert.deepStrictEqual(seen, ["a", "b", "c"])
      const inputs = cc.commandCalls(Sdk.ListResourcesCommand).map((c) => c.args[0].input)
      assert.deepStrictEqual(
        inputs.map((i) => i.NextToken),
        [undefined, "t1", "t2"]
      )
      for (const input of inputs) {
        assert.strictEqual(input.TypeName, "AWS::ApiGateway::Resource")
        assert.strictEqual(input.MaxResults, 2)
        assert.strictEqual(input.ResourceModel, '{"RestApiId":"abc123"}')
      }
      assert.isFalse("NextToken" in inputs[0]!, "the first page sends no NextToken at all")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("request status and cancel send the request token and map the progress event", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.GetResourceRequestStatusCommand, { RequestToken: "req-1" }).resolves({
        ProgressEvent: event({ OperationStatus: "FAILED", ErrorCode: "AlreadyExists", StatusMessage: "exists" })
      })
      cc.on(Sdk.CancelResourceRequestCommand, { RequestToken: "req-1" }).resolves({
        ProgressEvent: event({ OperationStatus: "CANCEL_IN_PROGRESS" })
      })
      const cloud = yield* CloudControl
      const status = yield* cloud.requestStatus({ requestToken, region: usEast1 })
      assert.strictEqual(status.status, "FAILED")
      assert.strictEqual(status.errorCode, "AlreadyExists")
      assert.strictEqual(status.statusMessage, "exists")
      assert.isTrue(status.isComplete)
      const cancelled = yield* cloud.cancel({ requestToken, region: usEast1 })
      assert.strictEqual(cancelled.status, "CANCEL_IN_PROGRESS")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("each call goes to a client configured for the call's region, created once per region", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.GetResourceCommand).resolves({ ResourceDescription: { Identifier: "x", Properties: "{}" } })
      const cloud = yield* CloudControl
      const get = (r: typeof usEast1) => cloud.get({ typeName: bucket, identifier: identifier("x"), region: r })
      yield* get(euWest1)
      yield* get(usEast1)
      yield* get(euWest1)
      const calls = cc.commandCalls(Sdk.GetResourceCommand)
      const regions = yield* Effect.promise(() => Promise.all(calls.map(regionOf)))
      assert.deepStrictEqual(regions, ["eu-west-1", "us-east-1", "eu-west-1"])
      assert.strictEqual(calls[0]!.thisValue, calls[2]!.thisValue, "the eu-west-1 client is reused")
      assert.notStrictEqual(calls[0]!.thisValue, calls[1]!.thisValue)
    }).pipe(Effect.provide(testLayer({ region: "ap-south-1" })))
  )

  it.effect("clients are destroyed when the layer is released", () =>
    Effect.gen(function* () {
      const destroy = vi.spyOn(Sdk.CloudControlClient.prototype, "destroy")
      try {
        yield* Effect.scoped(
          Effect.gen(function* () {
            const context = yield* Layer.build(Layer.merge(AwsCloudControl.layer(testOptions()), mocksLayer))
            const { cc } = Context.get(context, Mocks)
            cc.on(Sdk.GetResourceCommand).resolves({ ResourceDescription: { Identifier: "x", Properties: "{}" } })
            const cloud = Context.get(context, CloudControl)
            yield* cloud.get({ typeName: bucket, identifier: identifier("x"), region: usEast1 })
            yield* cloud.get({ typeName: bucket, identifier: identifier("x"), region: euWest1 })
            assert.strictEqual(destroy.mock.calls.length, 0)
          })
        )
        assert.strictEqual(destroy.mock.calls.length, 2)
      } finally {
        destroy.mockRestore()
      }
    })
  )

  it.effect("the fiber's abort signal reaches the SDK, and interruption aborts the request", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.GetResourceCommand).callsFake(() => new Promise(() => {}))
      const cloud = yield* CloudControl
      const fiber = yield* Effect.forkChild(
        cloud.get({ typeName: bucket, identifier: identifier("x"), region: usEast1 })
      )
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.hasInterrupts(exit))
      const call = cc.commandCalls(Sdk.GetResourceCommand)[0]!
      const options = (call.args as unknown as [unknown, { abortSignal: AbortSignal }])[1]
      assert.instanceOf(options.abortSignal, AbortSignal)
      assert.isTrue(options.abortSignal.aborted)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a response whose Properties are not JSON is CloudUnavailable, not a crash", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.GetResourceCommand).resolves({ ResourceDescription: { Identifier: "x", Properties: "<html>" } })
      const cloud = yield* CloudControl
      const error = yield* Effect.flip(cloud.get({ typeName: bucket, identifier: identifier("x"), region: usEast1 }))
      assert.strictEqual(error._tag, "CloudUnavailable")
      assert.include(error.message, "Properties")
    }).pipe(Effect.provide(testLayer()))
  )
})
