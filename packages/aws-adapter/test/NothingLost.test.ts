import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ClientToken, CloudControl, Identity, region, ResourceSchemas, typeName } from "@ccapi/core"
import * as Sdk from "@aws-sdk/client-cloudcontrol"
import * as Cfn from "@aws-sdk/client-cloudformation"
import * as Sts from "@aws-sdk/client-sts"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AwsResourceSchemas } from "../src/index.js"
import { Mocks, mocksLayer, serviceError, testLayer, testOptions } from "./support.js"

/*
 * The adapter's part of "nothing lost, nothing twice": a mutation whose answer is lost is OutcomeUnknown (never "AWS
 * rejected it as invalid"), the caller's identity is re-asked for new credentials and reused for seconds only, and a
 * schema in doubt never shows a write-only value.
 */

const bucket = typeName("AWS::S3::Bucket")
const usEast1 = region("us-east-1")
const clientToken = ClientToken.make("derived-token-1")
const create = Effect.flatMap(CloudControl, (cloud) =>
  cloud.create({ typeName: bucket, desiredState: { BucketName: "b" }, clientToken, region: usEast1 })
)

const networkError = (code: string) => Object.assign(new Error(`socket ${code}`), { code })

describe("a mutation whose answer is lost", () => {
  it.effect("a dropped connection or a timeout after sending is OutcomeUnknown with the ClientToken", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      for (const thrown of [networkError("ECONNRESET"), networkError("ETIMEDOUT"), networkError("EPIPE")]) {
        cc.reset()
        cc.on(Sdk.CreateResourceCommand).rejects(thrown)
        const error = yield* Effect.flip(create)
        assert.strictEqual(error._tag, "OutcomeUnknown", thrown.message)
        if (error._tag === "OutcomeUnknown") {
          assert.strictEqual(error.clientToken, clientToken)
          assert.match(error.message, /may have been applied/)
        }
      }
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a refused connection (nothing sent) stays CloudUnavailable", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.CreateResourceCommand).rejects(networkError("ECONNREFUSED"))
      const error = yield* Effect.flip(create)
      assert.strictEqual(error._tag, "CloudUnavailable")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a 200 with no ProgressEvent, or a body the SDK cannot read, is OutcomeUnknown, never InvalidRequest", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.CreateResourceCommand).resolves({})
      const empty = yield* Effect.flip(create)
      assert.strictEqual(empty._tag, "OutcomeUnknown")
      cc.reset()
      cc.on(Sdk.CreateResourceCommand).rejects(serviceError("SyntaxError", "Unexpected token < in JSON", 200))
      const garbled = yield* Effect.flip(create)
      assert.strictEqual(garbled._tag, "OutcomeUnknown")
      assert.notMatch(garbled.message, /as invalid/)
      // A read with an unreadable answer is unavailable, not invalid either.
      cc.on(Sdk.GetResourceCommand).rejects(serviceError("SyntaxError", "Unexpected token <", 200))
      const read = yield* Effect.flip(
        Effect.flatMap(CloudControl, (cloud) =>
          cloud.get({ typeName: bucket, identifier: "b" as never, region: usEast1 })
        )
      )
      assert.strictEqual(read._tag, "CloudUnavailable")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a 5xx after the retries is OutcomeUnknown; throttling and a validation error are refusals", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Sdk.DeleteResourceCommand).rejects(serviceError("ServiceInternalErrorException", "boom", 500, "server"))
      const remove = Effect.flatMap(CloudControl, (cloud) =>
        cloud.delete({ typeName: bucket, identifier: "b" as never, clientToken, region: usEast1 })
      )
      assert.strictEqual((yield* Effect.flip(remove))._tag, "OutcomeUnknown")
      cc.reset()
      cc.on(Sdk.DeleteResourceCommand).rejects(serviceError("ThrottlingException", "slow down", 400))
      assert.strictEqual((yield* Effect.flip(remove))._tag, "Throttled")
      cc.reset()
      cc.on(Sdk.DeleteResourceCommand).rejects(serviceError("ValidationException", "bad", 400))
      assert.strictEqual((yield* Effect.flip(remove))._tag, "InvalidRequest")
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("the caller's identity right before sending", () => {
  it.effect("is reused for a few seconds for the same credentials, then asked again", () =>
    Effect.gen(function* () {
      const { sts } = yield* Mocks
      sts
        .on(Sts.GetCallerIdentityCommand)
        .resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/u", UserId: "AIDA" })
      const identity = yield* Identity
      yield* identity.whoAmI(usEast1)
      yield* identity.whoAmI(usEast1)
      assert.strictEqual(sts.commandCalls(Sts.GetCallerIdentityCommand).length, 1)
      yield* TestClock.adjust("6 seconds")
      yield* identity.whoAmI(usEast1)
      assert.strictEqual(sts.commandCalls(Sts.GetCallerIdentityCommand).length, 2)
    }).pipe(Effect.provide(testLayer()))
  )
})

const dbSchema = (writeOnly: ReadonlyArray<string>) =>
  JSON.stringify({
    typeName: "AWS::RDS::DBInstance",
    properties: {
      DBInstanceIdentifier: { type: "string" },
      MasterUserPassword: { type: "string" },
      AdminToken: { type: "string" },
      SecretArn: { type: "string" },
      Endpoint: { type: "object" }
    },
    primaryIdentifier: ["/properties/DBInstanceIdentifier"],
    readOnlyProperties: ["/properties/Endpoint"],
    writeOnlyProperties: writeOnly
  })

describe("a schema in doubt never shows a write-only value", () => {
  const db = typeName("AWS::RDS::DBInstance")
  /** `describe` through a fresh adapter caching in `dir`; DescribeType answers with `writeOnly` when it is given. */
  const describeAt = (dir: string, writeOnly?: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const { cfn } = yield* Mocks
      if (writeOnly !== undefined) cfn.on(Cfn.DescribeTypeCommand).resolves({ Schema: dbSchema(writeOnly) })
      const schema = yield* (yield* ResourceSchemas).describe(db, usEast1)
      return { schema, fetches: cfn.commandCalls(Cfn.DescribeTypeCommand).length }
    }).pipe(
      Effect.provide(
        Layer.merge(AwsResourceSchemas.layer(testOptions({ schemaCache: { directory: dir } })), mocksLayer)
      )
    )
  /** `use` with a fresh cache directory, removed afterwards. */
  const inTempDir = <A, E>(prefix: string, use: (dir: string) => Effect.Effect<A, E>) =>
    Effect.acquireUseRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), prefix))),
      use,
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )

  it.effect("an answer whose write-only list was emptied keeps what was seen, and secret-looking names masked", () =>
    inTempDir("ccapi-schema-doubt-", (dir) =>
      Effect.gen(function* () {
        // First run: a good answer, cached on disk.
        const first = yield* describeAt(dir, ["/properties/MasterUserPassword"])
        assert.include(first.schema.writeOnlyProperties, "/properties/MasterUserPassword")
        // Eight days later a fresh answer with the list emptied: the password stays write-only.
        yield* TestClock.adjust("8 days")
        const { schema } = yield* describeAt(dir, [])
        assert.include(schema.writeOnlyProperties, "/properties/MasterUserPassword")
        assert.include(schema.writeOnlyProperties, "/properties/AdminToken")
        assert.notInclude(schema.writeOnlyProperties, "/properties/SecretArn")
        assert.notInclude(schema.writeOnlyProperties, "/properties/Endpoint")
        // A fresh adapter with no memory of either, only the disk entry: still masked.
        const fromDisk = yield* describeAt(dir)
        assert.include(fromDisk.schema.writeOnlyProperties, "/properties/MasterUserPassword")
      })
    )
  )

  it.effect("a disk entry whose document was altered (its hash no longer matches) is fetched again", () =>
    inTempDir("ccapi-schema-tamper-", (dir) =>
      Effect.gen(function* () {
        yield* describeAt(dir, ["/properties/MasterUserPassword"])
        const file = join(dir, "us-east-1", readdirSync(join(dir, "us-east-1"))[0]!)
        const entry = JSON.parse(readFileSync(file, "utf8")) as { schema: string }
        entry.schema = dbSchema([]).replace("MasterUserPassword", "MasterUserPasswd")
        writeFileSync(file, JSON.stringify(entry))
        const again = yield* describeAt(dir, ["/properties/MasterUserPassword"])
        assert.strictEqual(again.fetches, 1, "the altered entry was not trusted")
        assert.include(Object.keys(again.schema.properties), "MasterUserPassword")
      })
    )
  )
})
