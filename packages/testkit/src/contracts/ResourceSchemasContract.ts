import { ResourceSchemas, type Region, typeName } from "@ccapi/core"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { regionOf, testFor, type Timing } from "./support.js"

export interface ResourceSchemasHarness extends Timing {
  readonly layer: () => Layer.Layer<ResourceSchemas>
  readonly region?: Region
}

/** What every `ResourceSchemas` must report for well-known types, and how it refuses an unknown one. */
export const resourceSchemasContract = (name: string, harness: ResourceSchemasHarness): void => {
  const region = regionOf(harness.region)
  const test = testFor(harness)
  const describeType = (type: string) =>
    Effect.flatMap(ResourceSchemas, (schemas) => schemas.describe(typeName(type), region)).pipe(
      Effect.provide(harness.layer())
    )

  describe(`ResourceSchemas contract: ${name}`, () => {
    test("AWS::S3::Bucket: identifier, read-only, create-only and write-only paths, list-shaped tags", () =>
      Effect.gen(function* () {
        const schema = yield* describeType("AWS::S3::Bucket")
        assert.strictEqual(schema.typeName, "AWS::S3::Bucket")
        assert.deepStrictEqual(schema.primaryIdentifier, ["/properties/BucketName"])
        assert.include(schema.readOnlyProperties, "/properties/Arn")
        assert.include(schema.createOnlyProperties, "/properties/BucketName")
        assert.include(schema.writeOnlyProperties, "/properties/AccessControl")
        assert.property(schema.properties, "VersioningConfiguration")
        assert.isTrue(schema.tagging.taggable)
        assert.strictEqual(schema.tagging.tagPropertyName, "Tags")
        assert.strictEqual(schema.tagging.shape, "list")
      }))

    test("AWS::SSM::Parameter: required properties and map-shaped tags", () =>
      Effect.gen(function* () {
        const schema = yield* describeType("AWS::SSM::Parameter")
        assert.includeMembers([...schema.required], ["Type", "Value"])
        assert.strictEqual(schema.tagging.shape, "map")
      }))

    test("AWS::ApiGateway::Stage: a compound primary identifier, in order", () =>
      Effect.gen(function* () {
        const schema = yield* describeType("AWS::ApiGateway::Stage")
        assert.deepStrictEqual(schema.primaryIdentifierNames, ["RestApiId", "StageName"])
      }))

    test("an unknown type fails with TypeNotFound naming the type", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(describeType("AWS::S3::Buckett"))
        assert.strictEqual(error._tag, "TypeNotFound")
        assert.include(error.message, "AWS::S3::Buckett")
      }))
  })
}
