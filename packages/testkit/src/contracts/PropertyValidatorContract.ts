import { type JsonObject, PropertyValidator } from "@ccapi/core"
import { BundledSchemas } from "@ccapi/memory-cloud"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { testFor, type Timing } from "./support.js"

export interface PropertyValidatorHarness extends Timing {
  readonly layer: () => Layer.Layer<PropertyValidator>
}

/** What every `PropertyValidator` must find in properties checked against the bundled provider schemas. */
export const propertyValidatorContract = (name: string, harness: PropertyValidatorHarness): void => {
  const test = testFor(harness)
  const validate = (type: string, properties: JsonObject, mode: "create" | "preview" = "create") =>
    Effect.flatMap(PropertyValidator, (validator) =>
      validator.validate(BundledSchemas.schemaOf(type)!, properties, mode)
    ).pipe(Effect.provide(harness.layer()))
  const paths = (violations: ReadonlyArray<{ readonly path: string }>) => violations.map((v) => v.path)

  describe(`PropertyValidator contract: ${name}`, () => {
    test("valid properties have no violations", () =>
      Effect.gen(function* () {
        assert.deepStrictEqual(
          yield* validate("AWS::S3::Bucket", {
            BucketName: "a-valid-bucket",
            VersioningConfiguration: { Status: "Enabled" },
            Tags: [{ Key: "k", Value: "v" }]
          }),
          []
        )
      }))

    test("an unknown property is reported at its path, naming it", () =>
      Effect.gen(function* () {
        const violations = yield* validate("AWS::S3::Bucket", { NotAProperty: true })
        assert.deepStrictEqual(paths(violations), ["/NotAProperty"])
      }))

    test("wrong types, patterns and lengths are reported at their paths", () =>
      Effect.gen(function* () {
        const violations = yield* validate("AWS::S3::Bucket", {
          BucketName: "UPPER_case",
          VersioningConfiguration: { Status: 1 }
        })
        assert.includeMembers(paths(violations), ["/BucketName", "/VersioningConfiguration/Status"])
        const long = yield* validate("AWS::S3::Bucket", { BucketName: "a".repeat(64) })
        assert.deepStrictEqual(paths(long), ["/BucketName"])
      }))

    test("every missing required property is reported, in both modes", () =>
      Effect.gen(function* () {
        const created = yield* validate("AWS::SSM::Parameter", {})
        assert.lengthOf(created, 2)
        assert.isTrue(created.some((v) => v.message.includes("Type")))
        assert.isTrue(created.some((v) => v.message.includes("Value")))
        assert.lengthOf(yield* validate("AWS::SSM::Parameter", { Type: "String" }, "preview"), 1)
      }))

    test("a preview may hold read-only properties", () =>
      Effect.gen(function* () {
        const live = { BucketName: "a-valid-bucket", Arn: "arn:aws:s3:::a-valid-bucket" }
        assert.deepStrictEqual(yield* validate("AWS::S3::Bucket", live, "preview"), [])
      }))
  })
}
