import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { region, ResourceSchemas, typeName } from "@ccapi/core"
import * as Cfn from "@aws-sdk/client-cloudformation"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, vi } from "vitest"
import { AwsResourceSchemas } from "../src/index.js"
import { Mocks, mocksLayer, regionOf, serviceError, testOptions } from "./support.js"

const queueSchema = JSON.stringify({
  typeName: "AWS::SQS::Queue",
  description: "A queue",
  properties: {
    QueueName: { type: "string" },
    Arn: { type: "string" },
    Tags: { type: "array", items: { $ref: "#/definitions/Tag" } }
  },
  definitions: { Tag: { type: "object", properties: { Key: { type: "string" }, Value: { type: "string" } } } },
  primaryIdentifier: ["/properties/QueueUrl"],
  readOnlyProperties: ["/properties/Arn"],
  createOnlyProperties: ["/properties/QueueName"],
  tagging: { taggable: true, tagProperty: "/properties/Tags" }
})

const queue = typeName("AWS::SQS::Queue")
const usEast1 = region("us-east-1")
const euWest1 = region("eu-west-1")
const day = 24 * 60 * 60 * 1000

let cacheDir: string
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), "ccapi-schema-cache-"))
})
afterEach(() => {
  rmSync(cacheDir, { recursive: true, force: true })
  vi.unstubAllEnvs()
})

const schemasLayer = (directory: string | false) =>
  Layer.merge(AwsResourceSchemas.layer(testOptions({ schemaCache: { directory } })), mocksLayer)

/** Run with a fresh adapter (empty memory cache) over the given cache directory. */
const withFreshAdapter = <A, E>(directory: string | false, effect: Effect.Effect<A, E, ResourceSchemas | Mocks>) =>
  Effect.provide(effect, schemasLayer(directory))

const describeQueue = (r = usEast1) => Effect.flatMap(ResourceSchemas, (schemas) => schemas.describe(queue, r))

const answerQueue = Effect.flatMap(Mocks, ({ cfn }) =>
  Effect.sync(() => cfn.on(Cfn.DescribeTypeCommand).resolves({ TypeName: "AWS::SQS::Queue", Schema: queueSchema }))
)
const describeCalls = Effect.map(Mocks, ({ cfn }) => cfn.commandCalls(Cfn.DescribeTypeCommand))

describe("AwsResourceSchemas", () => {
  it.effect("DescribeType is asked for Type RESOURCE and the TypeName, in the call's region, and parsed", () =>
    withFreshAdapter(
      false,
      Effect.gen(function* () {
        yield* answerQueue
        const schema = yield* describeQueue(euWest1)
        const calls = yield* describeCalls
        assert.deepStrictEqual(calls[0]!.args[0].input, { Type: "RESOURCE", TypeName: "AWS::SQS::Queue" })
        assert.strictEqual(yield* Effect.promise(() => regionOf(calls[0]!)), "eu-west-1")
        assert.strictEqual(schema.typeName, "AWS::SQS::Queue")
        assert.deepStrictEqual(schema.createOnlyProperties, ["/properties/QueueName"])
        assert.strictEqual(schema.tagging.tagPropertyName, "Tags")
      })
    )
  )

  it.effect("a second describe is served from memory; another region is asked separately", () =>
    withFreshAdapter(
      false,
      Effect.gen(function* () {
        yield* answerQueue
        yield* describeQueue()
        yield* describeQueue()
        assert.strictEqual((yield* describeCalls).length, 1)
        yield* describeQueue(euWest1)
        assert.strictEqual((yield* describeCalls).length, 2)
      })
    )
  )

  it.effect("a schema older than seven days is fetched again", () =>
    withFreshAdapter(
      false,
      Effect.gen(function* () {
        yield* answerQueue
        yield* describeQueue()
        yield* TestClock.adjust(6 * day)
        yield* describeQueue()
        assert.strictEqual((yield* describeCalls).length, 1)
        yield* TestClock.adjust(2 * day)
        yield* describeQueue()
        assert.strictEqual((yield* describeCalls).length, 2)
      })
    )
  )

  it.effect("the disk cache survives a restart, per region, in one file written atomically", () =>
    Effect.gen(function* () {
      yield* withFreshAdapter(cacheDir, Effect.andThen(answerQueue, describeQueue()))
      assert.deepStrictEqual(readdirSync(cacheDir), ["us-east-1"])
      assert.deepStrictEqual(readdirSync(join(cacheDir, "us-east-1")), ["AWS--SQS--Queue.json"], "no temp file is left")
      const entry = JSON.parse(readFileSync(join(cacheDir, "us-east-1", "AWS--SQS--Queue.json"), "utf8"))
      assert.strictEqual(entry.schema, queueSchema)

      const fromDisk = yield* withFreshAdapter(
        cacheDir,
        Effect.gen(function* () {
          const { cfn } = yield* Mocks
          cfn.on(Cfn.DescribeTypeCommand).rejects(serviceError("Throttling", "must not be called", 400))
          const schema = yield* describeQueue()
          assert.strictEqual((yield* describeCalls).length, 0)
          return schema
        })
      )
      assert.deepStrictEqual(fromDisk.readOnlyProperties, ["/properties/Arn"])
    })
  )

  it.effect("an expired disk entry is refreshed and rewritten", () =>
    Effect.gen(function* () {
      yield* withFreshAdapter(cacheDir, Effect.andThen(answerQueue, describeQueue()))
      yield* TestClock.adjust(8 * day)
      yield* withFreshAdapter(
        cacheDir,
        Effect.gen(function* () {
          yield* answerQueue
          yield* describeQueue()
          assert.strictEqual((yield* describeCalls).length, 1)
        })
      )
      const entry = JSON.parse(readFileSync(join(cacheDir, "us-east-1", "AWS--SQS--Queue.json"), "utf8"))
      assert.strictEqual(entry.fetchedAt, 8 * day)
    })
  )

  it.effect("a corrupt disk entry is ignored and replaced", () =>
    Effect.gen(function* () {
      yield* withFreshAdapter(cacheDir, Effect.andThen(answerQueue, describeQueue()))
      writeFileSync(join(cacheDir, "us-east-1", "AWS--SQS--Queue.json"), "{not json")
      yield* withFreshAdapter(
        cacheDir,
        Effect.gen(function* () {
          yield* answerQueue
          const schema = yield* describeQueue()
          assert.strictEqual(schema.typeName, "AWS::SQS::Queue")
          assert.strictEqual((yield* describeCalls).length, 1)
        })
      )
    })
  )

  it.effect("an unwritable cache directory falls back to memory with one warning, never a failure", () =>
    Effect.gen(function* () {
      const file = join(cacheDir, "a-file")
      writeFileSync(file, "")
      const warnings: Array<string> = []
      const capture = Logger.layer([
        Logger.make(({ logLevel, message }) => {
          if (logLevel === "Warn") warnings.push(String(message))
        })
      ])
      yield* withFreshAdapter(
        join(file, "cache"),
        Effect.gen(function* () {
          yield* answerQueue
          yield* describeQueue()
          yield* describeQueue(euWest1)
          yield* describeQueue(euWest1)
          assert.strictEqual((yield* describeCalls).length, 2)
        })
      ).pipe(Effect.provide(capture))
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0]!, "memory only")
    })
  )

  it.effect("the default directory is $XDG_CACHE_HOME/ccapi-mcp-server", () =>
    Effect.sync(() => {
      vi.stubEnv("XDG_CACHE_HOME", "/var/cache/me")
      assert.strictEqual(AwsResourceSchemas.defaultCacheDirectory(), "/var/cache/me/ccapi-mcp-server/schemas")
      vi.stubEnv("XDG_CACHE_HOME", "")
      assert.match(AwsResourceSchemas.defaultCacheDirectory(), /\/\.cache\/ccapi-mcp-server\/schemas$/)
    })
  )

  it.effect("an unknown type is TypeNotFound; a malformed name rejected by the registry is TypeNotFound too", () =>
    withFreshAdapter(
      false,
      Effect.gen(function* () {
        const { cfn } = yield* Mocks
        cfn
          .on(Cfn.DescribeTypeCommand, { TypeName: "AWS::Nope::Thing" })
          .rejects(new Cfn.TypeNotFoundException({ message: "The type does not exist", $metadata: {} }))
          .on(Cfn.DescribeTypeCommand, { TypeName: "AWS::Bad::Name" })
          .rejects(serviceError("ValidationError", "1 validation error detected"))
        const schemas = yield* ResourceSchemas
        const missing = yield* Effect.flip(schemas.describe(typeName("AWS::Nope::Thing"), usEast1))
        assert.strictEqual(missing._tag, "TypeNotFound")
        assert.include(missing.message, "AWS::Nope::Thing")
        const bad = yield* Effect.flip(schemas.describe(typeName("AWS::Bad::Name"), usEast1))
        assert.strictEqual(bad._tag, "TypeNotFound")
      })
    )
  )

  it.effect("a schema that cannot be parsed is CloudUnavailable and is not cached", () =>
    withFreshAdapter(
      cacheDir,
      Effect.gen(function* () {
        const { cfn } = yield* Mocks
        cfn.on(Cfn.DescribeTypeCommand).resolves({ Schema: "{" })
        const failure = yield* Effect.flip(describeQueue())
        assert.strictEqual(failure._tag, "CloudUnavailable")
        assert.deepStrictEqual(readdirSync(cacheDir), [])
      })
    )
  )
})
