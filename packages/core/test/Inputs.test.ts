import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { CloudControl } from "../src/ports/CloudControl.js"
import { Identity } from "../src/ports/Identity.js"
import { ResourceSchemas } from "../src/ports/ResourceSchemas.js"
import { TemplateGenerator } from "../src/ports/TemplateGenerator.js"
import { decodeIdentifier, decodeJsonObject, decodeTypeName } from "../src/usecases/Inputs.js"
import { WorkflowSettings } from "../src/workflow/Settings.js"
import { createTemplate } from "../src/usecases/Templates.js"

const typeNameHint = "Use the CloudFormation type name, e.g. AWS::S3::Bucket (see get_resource_schema_information)."

describe("input decoding", () => {
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

const unused = Effect.die("not used in this test")

/** Only what `createTemplate` reads before it checks its literal arguments; anything else dies. */
const templateServices = Layer.mergeAll(
  Layer.succeed(WorkflowSettings, {
    readOnly: false,
    securityScanning: "enabled",
    defaultTags: [],
    disabledGuardrails: new Set<string>(),
    approval: "auto",
    tokenTtl: { environment: 60_000, credentials: 60_000, workflow: 60_000 },
    deleteLimit: undefined,
    mutationWait: "1 second",
    templateWait: "1 second",
    listPageSize: { default: 10, max: 100 }
  }),
  Layer.succeed(Identity, { environment: unused, whoAmI: () => unused }),
  Layer.succeed(TemplateGenerator, {
    source: "iac-generator",
    start: () => unused,
    status: () => unused,
    fetch: () => unused,
    remove: () => unused
  }),
  Layer.succeed(ResourceSchemas, { describe: () => unused }),
  Layer.succeed(CloudControl, {
    create: () => unused,
    update: () => unused,
    delete: () => unused,
    get: () => unused,
    list: () => unused,
    requestStatus: () => unused,
    cancel: () => unused
  })
)

describe("create_template arguments", () => {
  it.effect("an unknown choice names every valid one", () =>
    Effect.gen(function* () {
      const format = yield* Effect.flip(createTemplate({ region: "us-east-1", outputFormat: "xml" }))
      assert.strictEqual(format.message, 'output_format: must be one of "JSON" | "YAML".')
      const policy = yield* Effect.flip(createTemplate({ region: "us-east-1", deletionPolicy: "keep" }))
      assert.strictEqual(policy.message, 'deletion_policy: must be one of "DELETE" | "RETAIN".')
    }).pipe(Effect.provide(templateServices))
  )
})
