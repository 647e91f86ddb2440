import { ClientToken, CloudControl, region, TemplateGenerator, typeName } from "@ccapi/core"
import { MemoryCloud, MemoryTemplateGenerator } from "@ccapi/memory-cloud"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { parse } from "yaml"

const east = region("us-east-1")

describe("MemoryTemplateGenerator", () => {
  const cloud = MemoryCloud.layerMemory()
  const layer = Layer.merge(cloud, MemoryTemplateGenerator.layerMemory().pipe(Layer.provide(cloud)))

  it.effect("renders YAML that parses to the JSON template, without read-only or write-only properties", () =>
    Effect.gen(function* () {
      const cloudControl = yield* CloudControl
      const generator = yield* TemplateGenerator
      yield* cloudControl.create({
        typeName: typeName("AWS::S3::Bucket"),
        desiredState: {
          BucketName: "yaml-bucket",
          AccessControl: "Private",
          Tags: [
            { Key: "note", Value: "yes: no # not a comment" },
            { Key: "on", Value: "yes" },
            { Key: "since", Value: "2026-01-01" }
          ]
        },
        clientToken: ClientToken.make("t1"),
        region: east
      })
      const { templateId } = yield* generator.start({
        region: east,
        templateName: "t",
        resources: [{ typeName: typeName("AWS::S3::Bucket"), identifier: { BucketName: "yaml-bucket" } }],
        deletionPolicy: "DELETE",
        updateReplacePolicy: "RETAIN"
      })
      assert.strictEqual((yield* generator.status({ region: east, templateId })).status, "CREATE_IN_PROGRESS")
      assert.strictEqual((yield* generator.status({ region: east, templateId })).status, "COMPLETE")
      const json = JSON.parse((yield* generator.fetch({ region: east, templateId, format: "JSON" })).body)
      const text = (yield* generator.fetch({ region: east, templateId, format: "YAML" })).body
      const yaml = parse(text)
      assert.deepStrictEqual(yaml, json)
      // A YAML 1.1 reader (CloudFormation's) must not see booleans or dates where the template has strings.
      assert.deepStrictEqual(parse(text, { version: "1.1" }), json)
      const [resource] = Object.values(json.Resources) as Array<{ UpdateReplacePolicy: string; Properties: object }>
      assert.strictEqual(resource!.UpdateReplacePolicy, "Retain")
      assert.deepStrictEqual(Object.keys(resource!.Properties).sort(), ["BucketName", "Tags"])
      const again = yield* Effect.flip(
        generator.start({
          region: east,
          templateName: "t",
          resources: [{ typeName: typeName("AWS::S3::Bucket"), identifier: { BucketName: "yaml-bucket" } }],
          deletionPolicy: "DELETE",
          updateReplacePolicy: "DELETE"
        })
      )
      assert.strictEqual(again._tag, "InvalidRequest")
    }).pipe(Effect.provide(layer))
  )
})
