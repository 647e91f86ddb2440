import { BundledSchemas } from "@ccapi/memory-cloud"
import {
  CodeFormat,
  type ConvertibleResource,
  Identifier,
  type JsonObject,
  region,
  TemplateConverter,
  TypeName
} from "@ccapi/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"

export interface TemplateConverterHarness {
  readonly layer: () => Layer.Layer<TemplateConverter>
}

const bucketTemplate: JsonObject = {
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: {
    Bucket: {
      Type: "AWS::S3::Bucket",
      DeletionPolicy: "Retain",
      Properties: { BucketName: "contract-bucket", VersioningConfiguration: { Status: "Enabled" } }
    }
  }
}

const resource = (logicalId: string, typeName: string, identifier?: string): ConvertibleResource => ({
  logicalId,
  typeName: TypeName.make(typeName),
  identifier: identifier === undefined ? undefined : Identifier.make(identifier),
  schema: BundledSchemas.schemaOf(typeName)
})

/** What every `TemplateConverter` does in every format: writes a plain template, fails on an unknown type, is pure. */
export const templateConverterContract = (name: string, harness: TemplateConverterHarness): void => {
  const convert = (format: CodeFormat, template: JsonObject, resources: ReadonlyArray<ConvertibleResource>) =>
    Effect.flatMap(TemplateConverter, (converter) =>
      converter.convert({ format, template, name: "contract", region: region("us-east-1"), resources })
    ).pipe(Effect.provide(harness.layer()))

  describe(`TemplateConverter contract: ${name}`, () => {
    for (const format of CodeFormat.literals) {
      it.effect(`${format}: writes a bucket with its name, the same each time`, () =>
        Effect.gen(function* () {
          const resources = [resource("Bucket", "AWS::S3::Bucket", "contract-bucket")]
          const first = yield* convert(format, bucketTemplate, resources)
          const second = yield* convert(format, bucketTemplate, resources)
          assert.include(first.body, "contract-bucket")
          assert.isArray(first.warnings)
          assert.strictEqual(first.body, second.body)
        })
      )

      it.effect(`${format}: an unknown type is ConversionFailed for that format, with a message`, () =>
        Effect.gen(function* () {
          const template = { Resources: { Thing: { Type: "AWS::Nope::Thing", Properties: { Size: 1 } } } }
          const error = yield* Effect.flip(
            convert(format, template, [
              {
                logicalId: "Thing",
                typeName: TypeName.make("AWS::Nope::Thing"),
                identifier: undefined,
                schema: undefined
              }
            ])
          )
          assert.strictEqual(error._tag, "ConversionFailed")
          assert.strictEqual(error.format, format)
          assert.isNotEmpty(error.message)
        })
      )
    }
  })
}
