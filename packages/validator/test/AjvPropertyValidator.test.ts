import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import { type JsonObject, parseResourceSchema, PropertyValidator, type ResourceSchema } from "@ccapi/core"
import { AjvPropertyValidator } from "@ccapi/validator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"

// The bundled schema data lives in @ccapi/memory-cloud, which depends on this package; read the file, not the package.
const documents: Record<string, unknown> = JSON.parse(
  gunzipSync(readFileSync(new URL("../../memory-cloud/data/us-east-1.json.gz", import.meta.url))).toString("utf8")
)
const schemaOf = (typeName: string): ResourceSchema => Result.getOrThrow(parseResourceSchema(documents[typeName]))

const validate = (typeName: string, properties: JsonObject, mode: "create" | "preview" = "create") =>
  Effect.gen(function* () {
    const validator = yield* PropertyValidator
    return yield* validator.validate(schemaOf(typeName), properties, mode)
  }).pipe(Effect.provide(AjvPropertyValidator.layer))

const render = (violations: ReadonlyArray<{ path: string; message: string }>) =>
  violations.map((v) => `${v.path}: ${v.message}`)

describe("AjvPropertyValidator", () => {
  it.effect("accepts a valid S3 bucket", () =>
    Effect.gen(function* () {
      const violations = yield* validate("AWS::S3::Bucket", {
        BucketName: "my-bucket-123",
        VersioningConfiguration: { Status: "Enabled" },
        Tags: [{ Key: "team", Value: "storage" }]
      })
      assert.deepStrictEqual(violations, [])
    })
  )

  it.effect("names an unknown property and suggests the close one", () =>
    Effect.gen(function* () {
      const lines = render(yield* validate("AWS::S3::Bucket", { Foo: 1, Bucketname: "x" }))
      assert.include(lines, "/Foo: is not a property of AWS::S3::Bucket")
      assert.include(lines, "/Bucketname: is not a property of AWS::S3::Bucket (did you mean 'BucketName'?)")
    })
  )

  it.effect("reports a wrong type and an unknown nested property with their paths", () =>
    Effect.gen(function* () {
      const lines = render(
        yield* validate("AWS::S3::Bucket", { BucketName: 42, VersioningConfiguration: { Status: "Enabled", X: 1 } })
      )
      assert.include(lines, "/BucketName: must be a string, not an integer")
      assert.isTrue(lines.some((l) => l.startsWith("/VersioningConfiguration/X: is not a property of")))
    })
  )

  it.effect("checks enums inside definitions", () =>
    Effect.gen(function* () {
      const lines = render(yield* validate("AWS::S3::Bucket", { VersioningConfiguration: { Status: "On" } }))
      assert.deepStrictEqual(lines, ['/VersioningConfiguration/Status: must be one of: "Enabled", "Suspended"'])
    })
  )

  it.effect("checks patterns and lengths", () =>
    Effect.gen(function* () {
      const bucket = render(yield* validate("AWS::S3::Bucket", { BucketName: "Not_Valid" }))
      assert.isTrue(bucket.some((l) => l.startsWith("/BucketName: must match pattern ")))
      const queue = render(yield* validate("AWS::SQS::Queue", { QueueName: "q", DelaySeconds: 1, Tags: [] }))
      assert.deepStrictEqual(queue, [])
      const role = render(yield* validate("AWS::IAM::Role", { AssumeRolePolicyDocument: {}, RoleName: "r".repeat(65) }))
      assert.deepStrictEqual(role, ["/RoleName: must be at most 64 characters long"])
    })
  )

  it.effect("reads the \\A and \\Z anchors of Java/Python patterns as ^ and $, not as letters", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(render(yield* validate("AWS::Logs::LogGroup", { LogGroupName: "/ccapi/demo-logs" })), [])
      const bad = render(yield* validate("AWS::Logs::LogGroup", { LogGroupName: "no spaces allowed" }))
      assert.isTrue(bad.some((l) => l.startsWith("/LogGroupName: must match pattern ")))
    })
  )

  it.effect("reports every missing required property", () =>
    Effect.gen(function* () {
      const lines = render(yield* validate("AWS::SSM::Parameter", { Name: "p" }))
      assert.sameMembers(lines, ["/: must have required property 'Type'", "/: must have required property 'Value'"])
      assert.deepStrictEqual(yield* validate("AWS::SSM::Parameter", { Type: "String", Value: "v" }), [])
    })
  )

  it.effect("preview mode ignores read-only properties but still checks required ones", () =>
    Effect.gen(function* () {
      const live = { BucketName: "my-bucket", Arn: "arn:aws:s3:::b", DomainName: "b.s3.amazonaws.com" }
      assert.deepStrictEqual(yield* validate("AWS::S3::Bucket", live, "preview"), [])
      const lines = render(yield* validate("AWS::SSM::Parameter", { Type: "String" }, "preview"))
      assert.deepStrictEqual(lines, ["/: must have required property 'Value'"])
    })
  )

  it.effect("never lets a required write-only property fail a preview (reads never return it)", () =>
    Effect.gen(function* () {
      const schema = schemaOf("AWS::SSM::Parameter")
      const patched = new (schema.constructor as typeof ResourceSchema)({
        ...schema,
        writeOnlyProperties: ["/properties/Value"]
      })
      const validator = yield* AjvPropertyValidator.make()
      assert.deepStrictEqual(yield* validator.validate(patched, { Type: "String" }, "preview"), [])
      assert.lengthOf(yield* validator.validate(patched, { Type: "String" }, "create"), 1)
    })
  )

  it.effect("summarises oneOf alternatives instead of listing each branch's noise", () =>
    Effect.gen(function* () {
      const lines = render(yield* validate("AWS::Batch::JobQueue", { Priority: 1 }))
      assert.deepStrictEqual(lines, [
        "/: must match exactly one of its alternatives: one with ComputeEnvironmentOrder; one with ServiceEnvironmentOrder"
      ])
    })
  )

  it.effect("answers the Budgets pattern that backtracks exponentially in JavaScript, with the same verdicts", () =>
    Effect.gen(function* () {
      const base = {
        BudgetName: "b",
        NotificationType: "ACTUAL",
        ActionType: "APPLY_IAM_POLICY",
        ActionThreshold: { Type: "PERCENTAGE", Value: 80 },
        ExecutionRoleArn: "arn:aws:iam::123456789012:role/r",
        Definition: {}
      }
      const address = (value: string) =>
        validate("AWS::Budgets::BudgetsAction", { ...base, Subscribers: [{ Type: "EMAIL", Address: value }] })
      assert.deepStrictEqual(render(yield* address("ops@example.com")), [])
      // 40 characters and a line separator: hours of backtracking for JavaScript's engine, microseconds for RE2.
      assert.deepStrictEqual(render(yield* address("a".repeat(40) + "\u2028")), [
        "/Subscribers/0/Address: must match pattern ^(.*[\\n\\r\\t\\f\\ ]?)*$"
      ])
    })
  )

  it.effect(
    "compiles all 1,584 bundled schemas without throwing, dropping only unreadable or exponential patterns",
    () =>
      Effect.gen(function* () {
        const validator = yield* AjvPropertyValidator.make({ cacheSize: 64 })
        const names = Object.keys(documents)
        assert.strictEqual(names.length, 1584)
        const schemas = names.map(schemaOf)
        for (const schema of schemas) validator.compile(schema, "create")
        const stats = validator.stats()
        assert.isAtMost(stats.cached, 64)
        // Dropped: no engine reads them, or RE2 cannot and they have an exponential shape (see internal/patterns.ts).
        assert.isAtMost(stats.droppedPatterns, 30)
        assert.isAtMost(stats.nativePatterns, 80)
      }),
    { timeout: 180_000 }
  )
})
