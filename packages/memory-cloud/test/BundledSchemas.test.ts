import { region, typeName } from "@ccapi/core"
import { BundledSchemas } from "@ccapi/memory-cloud"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

const east = region("us-east-1")

describe("BundledSchemas", () => {
  it("holds all 1,584 types", () => {
    assert.lengthOf(Object.keys(BundledSchemas.loadProviderSchemas()), 1584)
  })

  it.effect("names similar types when a type does not exist", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.flatMap(BundledSchemas.make, (schemas) => schemas.describe(typeName("AWS::S3::Buckets"), east))
      )
      assert.strictEqual(error._tag, "TypeNotFound")
      assert.include(error.message, "AWS::S3::Bucket")
    })
  )
})
