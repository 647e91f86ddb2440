import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { parse } from "yaml"
import type { JsonObject } from "@ccapi/core"
import { templateYaml } from "../src/TemplateYaml.js"

describe("templateYaml", () => {
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
    assert.deepStrictEqual(parse(templateYaml(template)), template)
    assert.deepStrictEqual(parse(templateYaml(template), { version: "1.1" }), template)
  })

  it("uses no anchors or aliases for a value that appears twice", () => {
    const tags = [{ Key: "team", Value: "a" }]
    const text = templateYaml({ One: { Tags: tags }, Two: { Tags: tags } })
    assert.notMatch(text, /[&*]\w/)
    assert.deepStrictEqual(parse(text), { One: { Tags: tags }, Two: { Tags: tags } })
  })

  it.prop("round-trips any JSON object", [Schema.Record(Schema.String, Schema.Json)], ([value]) => {
    assert.deepStrictEqual(parse(templateYaml(value as JsonObject)), JSON.parse(JSON.stringify(value)))
  })
})
