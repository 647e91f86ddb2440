import { ClientToken, CloudControl, identifier, region, typeName } from "@ccapi/core"
import { MemoryCloud } from "@ccapi/memory-cloud"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"

const east = region("us-east-1")
const west = region("eu-west-1")
const bucket = typeName("AWS::S3::Bucket")
const parameter = typeName("AWS::SSM::Parameter")
let counter = 0
const token = () => ClientToken.make(`token-${++counter}`)

/** Starts creating the SSM parameter `name`, a String whose value is "v". */
const createParameter = (name: string, where = east) =>
  Effect.flatMap(CloudControl, (cloud) =>
    cloud.create({
      typeName: parameter,
      desiredState: { Name: name, Type: "String", Value: "v" },
      clientToken: token(),
      region: where
    })
  )

const withCloud = <A, E>(
  effect: Effect.Effect<A, E, CloudControl | MemoryCloud.MemoryCloud>,
  options: MemoryCloud.MemoryCloudOptions = {}
) => Effect.provide(effect, MemoryCloud.layerMemory(options))

describe("MemoryCloud", () => {
  it.effect("refuses an invalid desired state with Cloud Control's wording", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const error = yield* Effect.flip(
          cloud.create({
            typeName: parameter,
            desiredState: { Foo: 1, Type: 7, Arn: "x" },
            clientToken: token(),
            region: east
          })
        )
        assert.strictEqual(error._tag, "InvalidRequest")
        assert.match(error.message, /^Model validation failed \(/)
        assert.include(error.message, "#: extraneous key [Foo] is not permitted")
        assert.include(error.message, "#: required key [Value] not found")
        assert.include(error.message, "#/Type: expected type: String, found: Integer")
      })
    )
  )

  it.effect("refuses read-only properties in a desired state", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const error = yield* Effect.flip(
          cloud.create({
            typeName: bucket,
            desiredState: { Arn: "arn:aws:s3:::x" },
            clientToken: token(),
            region: east
          })
        )
        assert.include(error.message, "#: extraneous key [Arn] is not permitted")
      })
    )
  )

  it.effect("generates the identifier and read-only attributes the schema names", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const started = yield* cloud.create({ typeName: bucket, desiredState: {}, clientToken: token(), region: east })
        const id = started.identifier!
        assert.match(id, /^bucket-[0-9a-z]{12}$/)
        const live = yield* cloud.get({ typeName: bucket, identifier: id, region: east })
        assert.strictEqual(live.properties["BucketName"], id)
        assert.strictEqual(live.properties["Arn"], `arn:aws:s3:::${id}`)
        assert.strictEqual(live.properties["DomainName"], `${id}.s3.amazonaws.com`)
        const vpc = yield* cloud.create({
          typeName: typeName("AWS::EC2::VPC"),
          desiredState: { CidrBlock: "10.0.0.0/16" },
          clientToken: token(),
          region: east
        })
        assert.match(vpc.identifier!, /^vpc-[0-9a-f]{17}$/)
      })
    )
  )

  it.effect("generates bucket names of exactly twelve random lowercase letters and digits (valid S3 names)", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        for (let i = 0; i < 25; i++) {
          const started = yield* cloud.create({
            typeName: bucket,
            desiredState: {},
            clientToken: token(),
            region: east
          })
          assert.match(started.identifier!, /^bucket-[0-9a-z]{12}$/)
        }
      })
    )
  )

  it.effect("keeps write-only properties but never returns them", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const memory = yield* MemoryCloud.MemoryCloud
        yield* cloud.create({
          typeName: bucket,
          desiredState: { BucketName: "wo-bucket", AccessControl: "Private" },
          clientToken: token(),
          region: east
        })
        const page = yield* cloud.list({ typeName: bucket, region: east })
        assert.notProperty(page.resources[0]!.properties, "AccessControl")
        const stored = yield* memory.peek({ typeName: bucket, identifier: "wo-bucket", region: east })
        assert.strictEqual(stored?.["AccessControl"], "Private")
      })
    )
  )

  it.effect("stays IN_PROGRESS until the completion delay has passed on the clock", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const started = yield* createParameter("slow")
        yield* TestClock.adjust("9 seconds")
        const during = yield* cloud.requestStatus({ requestToken: started.requestToken, region: east })
        assert.strictEqual(during.status, "IN_PROGRESS")
        const busy = yield* Effect.flip(
          cloud.delete({ typeName: parameter, identifier: identifier("slow"), clientToken: token(), region: east })
        )
        assert.strictEqual(busy._tag, "ConcurrentOperation")
        const reading = yield* Effect.flip(
          cloud.get({ typeName: parameter, identifier: identifier("slow"), region: east })
        )
        assert.strictEqual(reading._tag, "InvalidRequest")
        assert.strictEqual(reading._tag === "InvalidRequest" ? reading.code : "", "ResourceConflictException")
        yield* TestClock.adjust("1 second")
        const after = yield* cloud.requestStatus({ requestToken: started.requestToken, region: east })
        assert.strictEqual(after.status, "SUCCESS")
        assert.strictEqual(after.resourceModel?.["Value"], "v")
      }),
      { completionDelay: "10 seconds" }
    )
  )

  it.effect("refuses a second operation on a resource while one is in progress", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        yield* createParameter("p")
        yield* TestClock.adjust("1 second")
        yield* cloud.update({
          typeName: parameter,
          identifier: identifier("p"),
          patch: [{ op: "replace", path: "/Value", value: "w" }],
          clientToken: token(),
          region: east
        })
        const error = yield* Effect.flip(
          cloud.delete({ typeName: parameter, identifier: identifier("p"), clientToken: token(), region: east })
        )
        assert.strictEqual(error._tag, "ConcurrentOperation")
      }),
      { completionDelay: "1 second" }
    )
  )

  it.effect("cancels a request in progress, and only then", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const started = yield* createParameter("c")
        const cancelled = yield* cloud.cancel({ requestToken: started.requestToken, region: east })
        assert.strictEqual(cancelled.status, "CANCEL_IN_PROGRESS")
        yield* TestClock.adjust("1 minute")
        const status = yield* cloud.requestStatus({ requestToken: started.requestToken, region: east })
        assert.strictEqual(status.status, "CANCEL_COMPLETE")
        const missing = yield* Effect.flip(
          cloud.get({ typeName: parameter, identifier: identifier("c"), region: east })
        )
        assert.strictEqual(missing._tag, "ResourceNotFound")
        const again = yield* Effect.flip(cloud.cancel({ requestToken: started.requestToken, region: east }))
        assert.strictEqual(again._tag, "ConcurrentOperation")
      }),
      { completionDelay: "10 seconds" }
    )
  )

  it.effect("fails the requests failureFor picks, with its message", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const started = yield* createParameter("doomed")
        const done = yield* cloud.requestStatus({ requestToken: started.requestToken, region: east })
        assert.strictEqual(done.status, "FAILED")
        assert.strictEqual(done.statusMessage, "quota exceeded")
      }),
      { failureFor: (request) => (request.identifier === "doomed" ? "quota exceeded" : undefined) }
    )
  )

  it.effect("keeps each region's resources and requests apart", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const started = yield* createParameter("here")
        const elsewhere = yield* Effect.flip(cloud.requestStatus({ requestToken: started.requestToken, region: west }))
        assert.strictEqual(elsewhere._tag, "RequestNotFound")
        const page = yield* cloud.list({ typeName: parameter, region: west })
        assert.lengthOf(page.resources, 0)
      })
    )
  )

  it.effect("accepts a compound identifier as text or as JSON, and refuses a foreign next token", () =>
    withCloud(
      Effect.gen(function* () {
        const cloud = yield* CloudControl
        const stage = typeName("AWS::ApiGateway::Stage")
        const started = yield* cloud.create({
          typeName: stage,
          desiredState: { RestApiId: "abc", StageName: "dev" },
          clientToken: token(),
          region: east
        })
        assert.strictEqual(started.identifier, "abc|dev")
        const live = yield* cloud.get({
          typeName: stage,
          identifier: identifier(JSON.stringify({ StageName: "dev", RestApiId: "abc" })),
          region: east
        })
        assert.strictEqual(live.identifier, "abc|dev")
        const bad = yield* Effect.flip(cloud.list({ typeName: stage, region: east, nextToken: "garbage" }))
        assert.strictEqual(bad._tag, "InvalidRequest")
      })
    )
  )

  it.effect("restores a snapshot into a fresh cloud", () =>
    Effect.gen(function* () {
      const snapshot = yield* withCloud(
        Effect.gen(function* () {
          const memory = yield* MemoryCloud.MemoryCloud
          yield* createParameter("kept", west)
          return JSON.parse(JSON.stringify(yield* memory.snapshot())) as unknown
        })
      )
      yield* withCloud(
        Effect.gen(function* () {
          const cloud = yield* CloudControl
          const memory = yield* MemoryCloud.MemoryCloud
          yield* memory.restore(snapshot)
          const live = yield* cloud.get({ typeName: parameter, identifier: identifier("kept"), region: west })
          assert.strictEqual(live.properties["Value"], "v")
          const bad = yield* Effect.flip(memory.restore({ nope: true }))
          assert.strictEqual(bad._tag, "InvalidRequest")
        })
      )
    })
  )
})
