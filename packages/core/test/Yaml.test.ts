import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { parse } from "yaml"
import { toYaml } from "../src/render/Yaml.js"
import type { JsonValue } from "../src/index.js"

describe("toYaml", () => {
  it("writes a CloudFormation template that a YAML parser reads back unchanged", () => {
    const template = {
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: {
        Bucket: {
          Type: "AWS::S3::Bucket",
          DeletionPolicy: "Retain",
          Properties: {
            BucketName: "yes",
            Tags: [{ Key: "on", Value: "null" }],
            Empty: {},
            List: [],
            Nested: [[1, 2], { a: true }],
            "weird key: #1": 'line\nbreak "quoted" \u2028'
          }
        }
      }
    }
    assert.deepStrictEqual(parse(toYaml(template)), template)
  })

  it.prop("round-trips any JSON object", [Schema.Record(Schema.String, Schema.Json)], ([value]) => {
    assert.deepStrictEqual(parse(toYaml(value as JsonValue)), JSON.parse(JSON.stringify(value)))
  })
})
