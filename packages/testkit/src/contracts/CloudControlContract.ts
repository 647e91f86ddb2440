import {
  ClientToken,
  CloudControl,
  identifier,
  type JsonObject,
  type PatchDocument,
  type ProgressEvent,
  type Region,
  typeName
} from "@ccapi/core"
import { randomHex } from "@ccapi/memory-cloud"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer, Result } from "effect"
import { awaitDone, regionOf, testFor, type Timing, uniqueName } from "./support.js"

export interface CloudControlHarness extends Timing {
  /** A fresh implementation; called once per test. */
  readonly layer: () => Layer.Layer<CloudControl>
  /** Default `us-east-1`. */
  readonly region?: Region
}

const parameter = typeName("AWS::SSM::Parameter")
const bucket = typeName("AWS::S3::Bucket")
const stage = typeName("AWS::ApiGateway::Stage")

const token = Effect.map(randomHex(32), (hex) => ClientToken.make(hex))

/**
 * The behaviour every `CloudControl` must show, real or fake. Only what real Cloud Control guarantees is asserted:
 * a mutation starts PENDING/IN_PROGRESS and ends through `requestStatus`, errors surface either as a refused call or
 * as a FAILED request with Cloud Control's error code.
 */
export const cloudControlContract = (name: string, harness: CloudControlHarness): void => {
  const region = regionOf(harness.region)
  const test = testFor(harness)
  const run = <A, E>(effect: Effect.Effect<A, E, CloudControl>) => Effect.provide(effect, harness.layer())

  const createDone = (type: typeof parameter, desiredState: JsonObject) =>
    Effect.gen(function* () {
      const cloud = yield* CloudControl
      const started = yield* cloud.create({ typeName: type, desiredState, clientToken: yield* token, region })
      return yield* awaitDone(started, region, harness)
    })

  const newParameter = Effect.gen(function* () {
    const parameterName = yield* uniqueName("ccapi-contract")
    const done = yield* createDone(parameter, { Name: parameterName, Type: "String", Value: "v1" })
    assert.strictEqual(done.status, "SUCCESS", done.statusMessage)
    return parameterName
  })

  /** `body` with the cloud and a parameter just created (value `v1`), over a fresh implementation. */
  const withParameter = <A, E>(
    body: (cloud: CloudControl["Service"], parameterName: string) => Effect.Effect<A, E, CloudControl>
  ) =>
    run(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        return yield* body(cloud, yield* newParameter)
      })
    )

  /** An update of parameter `parameterName` by `patch`, with a fresh client token. */
  const patchParameter = (cloud: CloudControl["Service"], parameterName: string, patch: PatchDocument) =>
    Effect.flatMap(token, (clientToken) =>
      cloud.update({
        typeName: parameter,
        identifier: identifier(parameterName),
        patch,
        clientToken,
        region
      })
    )

  /** A mutation that started as `operation` and ends SUCCESS through `requestStatus`: its final event. */
  const succeeds = (started: ProgressEvent, operation: ProgressEvent["operation"]) =>
    Effect.gen(function* () {
      assert.strictEqual(started.operation, operation)
      const done = yield* awaitDone(started, region, harness)
      assert.strictEqual(done.status, "SUCCESS", done.statusMessage)
      return done
    })

  /** A call refused with `tag`, or a request that ends FAILED with `errorCode`. */
  const refusedOrFailed = <E extends { readonly _tag: string }>(
    attempt: Effect.Effect<ProgressEvent, E, CloudControl>,
    tag: string,
    errorCode: string
  ) =>
    Effect.gen(function* () {
      const outcome = yield* Effect.result(attempt)
      if (Result.isFailure(outcome)) return assert.strictEqual(outcome.failure._tag, tag)
      const done = yield* awaitDone(outcome.success, region, harness)
      assert.strictEqual(done.status, "FAILED")
      assert.strictEqual(done.errorCode, errorCode)
    })

  describe(`CloudControl contract: ${name}`, () => {
    test("a create starts in progress and succeeds through requestStatus", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const parameterName = yield* uniqueName("ccapi-contract")
          const started = yield* cloud.create({
            typeName: parameter,
            desiredState: { Name: parameterName, Type: "String", Value: "v1" },
            clientToken: yield* token,
            region
          })
          assert.include(["PENDING", "IN_PROGRESS"], started.status)
          const done = yield* succeeds(started, "CREATE")
          assert.strictEqual(done.identifier, parameterName)
          const live = yield* cloud.get({ typeName: parameter, identifier: identifier(parameterName), region })
          assert.strictEqual(live.properties["Value"], "v1")
        })
      ))

    test("get returns read-only attributes and never write-only properties", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const bucketName = yield* uniqueName("ccapi-contract")
          const done = yield* createDone(bucket, { BucketName: bucketName, AccessControl: "Private" })
          assert.strictEqual(done.status, "SUCCESS", done.statusMessage)
          const live = yield* cloud.get({ typeName: bucket, identifier: identifier(bucketName), region })
          assert.strictEqual(live.identifier, bucketName)
          assert.strictEqual(live.properties["BucketName"], bucketName)
          assert.isString(live.properties["Arn"])
          assert.notProperty(live.properties, "AccessControl")
        })
      ))

    test("a second create with the same identifier ends in AlreadyExists", () =>
      withParameter((cloud, parameterName) =>
        Effect.gen(function* () {
          yield* refusedOrFailed(
            cloud.create({
              typeName: parameter,
              desiredState: { Name: parameterName, Type: "String", Value: "other" },
              clientToken: yield* token,
              region
            }),
            "ResourceAlreadyExists",
            "AlreadyExists"
          )
        })
      ))

    test("an update applies the JSON Patch", () =>
      withParameter((cloud, parameterName) =>
        Effect.gen(function* () {
          const started = yield* patchParameter(cloud, parameterName, [{ op: "replace", path: "/Value", value: "v2" }])
          yield* succeeds(started, "UPDATE")
          const live = yield* cloud.get({ typeName: parameter, identifier: identifier(parameterName), region })
          assert.strictEqual(live.properties["Value"], "v2")
        })
      ))

    test("a change to a create-only property is refused with NotUpdatable", () =>
      withParameter((cloud, parameterName) =>
        Effect.gen(function* () {
          yield* refusedOrFailed(
            patchParameter(cloud, parameterName, [{ op: "replace", path: "/Name", value: `${parameterName}-renamed` }]),
            "NotUpdatable",
            "NotUpdatable"
          )
        })
      ))

    test("after a delete, get fails with ResourceNotFound", () =>
      withParameter((cloud, parameterName) =>
        Effect.gen(function* () {
          const started = yield* cloud.delete({
            typeName: parameter,
            identifier: identifier(parameterName),
            clientToken: yield* token,
            region
          })
          yield* succeeds(started, "DELETE")
          const error = yield* Effect.flip(
            cloud.get({ typeName: parameter, identifier: identifier(parameterName), region })
          )
          assert.strictEqual(error._tag, "ResourceNotFound")
        })
      ))

    test("list pages with a next token until every resource is seen", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const created: Array<string> = []
          for (let i = 0; i < 5; i++) created.push(yield* newParameter)
          const seen: Array<string> = []
          let nextToken: string | undefined
          let pages = 0
          do {
            const page = yield* cloud.list({ typeName: parameter, region, maxResults: 2, nextToken })
            assert.isAtMost(page.resources.length, 2)
            seen.push(...page.resources.map((r) => r.identifier))
            nextToken = page.nextToken
            pages++
          } while (nextToken !== undefined && pages < 100)
          assert.isAtLeast(pages, 3)
          for (const parameterName of created) assert.include(seen, parameterName)
        })
      ))

    test("a retried client token returns the same request; reused for another request it conflicts", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const clientToken = yield* token
          const parameterName = yield* uniqueName("ccapi-contract")
          const desiredState = { Name: parameterName, Type: "String", Value: "v1" }
          const first = yield* cloud.create({ typeName: parameter, desiredState, clientToken, region })
          const retry = yield* cloud.create({ typeName: parameter, desiredState, clientToken, region })
          assert.strictEqual(retry.requestToken, first.requestToken)
          const done = yield* awaitDone(retry, region, harness)
          assert.strictEqual(done.status, "SUCCESS", done.statusMessage)
          const conflict = yield* Effect.flip(
            cloud.create({ typeName: parameter, desiredState: { ...desiredState, Value: "v2" }, clientToken, region })
          )
          assert.strictEqual(conflict._tag, "ClientTokenConflict")
        })
      ))

    test("a list scoped by a parent resource model returns only that parent's children", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const api = yield* uniqueName("api")
          const other = yield* uniqueName("api")
          for (const [restApiId, stageName] of [
            [api, "dev"],
            [api, "prod"],
            [other, "dev"]
          ] as const) {
            const done = yield* createDone(stage, { RestApiId: restApiId, StageName: stageName })
            assert.strictEqual(done.status, "SUCCESS", done.statusMessage)
          }
          const page = yield* cloud.list({ typeName: stage, region, resourceModel: { RestApiId: api } })
          assert.sameMembers(
            page.resources.map((r) => r.identifier),
            [`${api}|dev`, `${api}|prod`]
          )
        })
      ))

    test("a parent-scoped type listed without its parent is refused with InvalidRequest", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const error = yield* Effect.flip(cloud.list({ typeName: stage, region }))
          assert.strictEqual(error._tag, "InvalidRequest")
          assert.include(error.message, "RestApiId")
        })
      ))

    test("a type Cloud Control cannot provision (NON_PROVISIONABLE) is refused with UnsupportedAction", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const error = yield* Effect.flip(cloud.list({ typeName: typeName("AWS::CodeCommit::Repository"), region }))
          assert.strictEqual(error._tag, "UnsupportedAction")
        })
      ))

    test("an unknown type fails with TypeNotFound", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const unknown = typeName("AWS::Nope::Nothing")
          const error = yield* Effect.flip(cloud.get({ typeName: unknown, identifier: identifier("x"), region }))
          assert.strictEqual(error._tag, "TypeNotFound")
          const refused = yield* Effect.flip(
            cloud.create({ typeName: unknown, desiredState: {}, clientToken: yield* token, region })
          )
          assert.strictEqual(refused._tag, "TypeNotFound")
        })
      ))

    test("the status of an unknown request token is RequestNotFound", () =>
      run(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const unknown = `${yield* randomHex(8)}-0000-4000-8000-${yield* randomHex(12)}`
          const error = yield* Effect.flip(
            cloud.requestStatus({ requestToken: unknown as ProgressEvent["requestToken"], region })
          )
          assert.strictEqual(error._tag, "RequestNotFound")
        })
      ))
  })
}
