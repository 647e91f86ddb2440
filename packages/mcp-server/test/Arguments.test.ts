import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { identifier, typeName } from "@ccapi/core"
import { decodeIdentifier, decodeJsonObject, decodeStringList, decodeTypeName } from "../src/tools/Arguments.js"
import { templateCommand } from "../src/tools/create_template.js"

const typeNameHint = "Use the CloudFormation type name, e.g. AWS::S3::Bucket (see get_resource_schema_information)."

describe("argument decoding", () => {
  it.effect("decodes a type and an identifier into their brands", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* decodeTypeName("resource_type", "AWS::S3::Bucket"), typeName("AWS::S3::Bucket"))
      assert.strictEqual(yield* decodeIdentifier("identifier", "b"), identifier("b"))
      const error = yield* Effect.flip(decodeTypeName("resource_type", "S3 bucket"))
      assert.strictEqual(error._tag, "InvalidInput")
    })
  )

  it.effect("accepted check ids come as a list or as a comma-separated string", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* decodeStringList("accept_findings", "CKV_AWS_21, CKV_AWS_18"), [
        "CKV_AWS_21",
        "CKV_AWS_18"
      ])
      assert.deepStrictEqual(yield* decodeStringList("accept_findings", ["CKV_AWS_18"]), ["CKV_AWS_18"])
      const error = yield* Effect.flip(decodeStringList("accept_findings", [1]))
      assert.strictEqual(error.message, "accept_findings: must be a list of strings.")
    })
  )

  it.effect("a malformed type name is InvalidInput with the pattern's explanation and the hint", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeTypeName("resource_type", "AWS::S3"))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(
        error.message,
        `resource_type: a resource type is written Namespace::Service::Resource, for example AWS::S3::Bucket. ${typeNameHint}`
      )
    })
  )

  it.effect("a value of the wrong type is named with what was expected and what was sent", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeTypeName("resource_type", 123))
      assert.strictEqual(error.message, `resource_type: Expected string, actual 123. ${typeNameHint}`)
      const missing = yield* Effect.flip(decodeIdentifier("identifier", undefined))
      assert.match(missing.message, /^identifier: Expected string, actual undefined\. /)
    })
  )

  it.effect("identifiers must be 1 to 1024 characters", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* decodeIdentifier("identifier", "my-bucket"), "my-bucket")
      const empty = yield* Effect.flip(decodeIdentifier("identifier", ""))
      assert.match(empty.message, /^identifier: an identifier cannot be empty\. /)
      const long = yield* Effect.flip(decodeIdentifier("identifier", "x".repeat(1025)))
      assert.match(long.message, /^identifier: Expected a string at most 1024 character\(s\) long, actual "x+"\. /)
    })
  )

  it.effect("a JSON object is accepted as an object or as JSON text, and nothing else", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* decodeJsonObject("properties", { A: [1, { B: null }] }), { A: [1, { B: null }] })
      assert.deepStrictEqual(yield* decodeJsonObject("properties", '{"A": true}'), { A: true })
      const messages = yield* Effect.forEach(["{not json", "[1]", 3, { A: () => 1 }], (value) =>
        Effect.flip(decodeJsonObject("properties", value)).pipe(Effect.map((e) => e.message))
      )
      assert.deepStrictEqual(messages, [
        "properties: not valid JSON. Send a JSON object.",
        "properties: must be a JSON object.",
        "properties: must be a JSON object.",
        "properties: must contain only JSON values."
      ])
    })
  )
})

describe("create_template arguments", () => {
  it.effect("an unknown choice names every valid one", () =>
    Effect.gen(function* () {
      const format = yield* Effect.flip(templateCommand({ region: "us-east-1", output_format: "xml" }))
      assert.strictEqual(
        format.message,
        'output_format: must be one of "JSON" | "YAML" | "cdk-typescript" | "cdk-python" | "terraform" (the CloudFormation template as JSON or YAML, or the same resources as CDK TypeScript, CDK Python or Terraform for the awscc provider).'
      )
      const policy = yield* Effect.flip(templateCommand({ region: "us-east-1", deletion_policy: "keep" }))
      assert.strictEqual(policy.message, 'deletion_policy: must be one of "DELETE" | "RETAIN".')
    })
  )
})
