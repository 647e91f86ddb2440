import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import { applyDefaultTags, defaultTags, readTags, type Tag } from "../src/policy/DefaultTags.js"
import type { JsonObject } from "../src/model/Json.js"
import { boolean, oneOf, string, uniqueArray } from "./arbitraries.js"
import { deepFreeze, schemaOf } from "./schemaData.js"

const defaults = defaultTags({
  version: "1.2.3",
  sourceUrl: "https://github.com/ccapi-dev/ccapi",
  extra: [{ key: "team", value: "platform" }]
})

const tagKey = oneOf(
  Arbitrary.schema(
    Schema.Literals(["MANAGED_BY", "MCP_SERVER_VERSION", "MCP_SERVER_SOURCE_CODE", "team", "env", "Name"])
  ),
  string({ minLength: 1, maxLength: 12 })
)
const userTags = uniqueArray(Arbitrary.all({ key: tagKey, value: string({ maxLength: 12 }) }), {
  selector: (t) => t.key,
  maxLength: 8
})

/** Each taggable shape, with the type, the tag property and how a user writes tags there. */
const shapes = [
  {
    type: "AWS::S3::Bucket",
    property: "Tags",
    write: (tags: ReadonlyArray<Tag>) => tags.map((t) => ({ Key: t.key, Value: t.value }))
  },
  {
    type: "AWS::SSM::Parameter",
    property: "Tags",
    write: (tags: ReadonlyArray<Tag>) => Object.fromEntries(tags.map((t) => [t.key, t.value]))
  },
  {
    type: "AWS::Backup::BackupVault",
    property: "BackupVaultTags",
    write: (tags: ReadonlyArray<Tag>) => Object.fromEntries(tags.map((t) => [t.key, t.value]))
  }
] as const

describe("defaultTags", () => {
  it("names the manager, the source and the version, then the operator's tags, which can override", () => {
    assert.deepStrictEqual(defaults, [
      { key: "MANAGED_BY", value: "CCAPI-MCP-SERVER" },
      { key: "MCP_SERVER_SOURCE_CODE", value: "https://github.com/ccapi-dev/ccapi" },
      { key: "MCP_SERVER_VERSION", value: "1.2.3" },
      { key: "team", value: "platform" }
    ])
    const overridden = defaultTags({ version: "1", sourceUrl: "u", extra: [{ key: "MCP_SERVER_VERSION", value: "x" }] })
    assert.deepStrictEqual(
      overridden.map((t) => `${t.key}=${t.value}`),
      ["MANAGED_BY=CCAPI-MCP-SERVER", "MCP_SERVER_SOURCE_CODE=u", "MCP_SERVER_VERSION=x"]
    )
  })
})

describe("applyDefaultTags", () => {
  for (const shape of shapes) {
    it.prop(
      `${shape.type}: user tags win, every default is present, the input is untouched`,
      [userTags, boolean],
      ([tags, omit]) => {
        const schema = schemaOf(shape.type)
        const input: JsonObject = deepFreeze(
          omit && tags.length === 0 ? { Other: { x: 1 } } : { Other: { x: 1 }, [shape.property]: shape.write(tags) }
        )
        const before = JSON.stringify(input)
        const result = applyDefaultTags(schema, input, defaults)
        assert.strictEqual(JSON.stringify(input), before)
        assert.deepStrictEqual(result.properties["Other"], { x: 1 })

        const sent = new Map(readTags(schema, result.properties).map((t) => [t.key, t.value]))
        for (const t of tags) assert.strictEqual(sent.get(t.key), t.value, `user tag ${t.key}`)
        const userKeys = new Set(tags.map((t) => t.key))
        for (const d of defaults)
          if (!userKeys.has(d.key)) assert.strictEqual(sent.get(d.key), d.value, `default ${d.key}`)
        assert.strictEqual(sent.size, new Set([...userKeys, ...defaults.map((d) => d.key)]).size)

        // Map keys that look like integers come first in JavaScript objects, so compare user keys as sets.
        assert.deepStrictEqual(
          result.tags
            .filter((t) => t.source === "user")
            .map((t) => t.key)
            .sort(),
          tags.map((t) => t.key).sort()
        )
        assert.deepStrictEqual(
          result.tags.filter((t) => t.source === "default").map((t) => t.key),
          defaults.filter((d) => !userKeys.has(d.key)).map((d) => d.key)
        )
        const written = result.properties[shape.property]
        assert.strictEqual(Array.isArray(written), shape.type === "AWS::S3::Bucket")
      }
    )
  }

  it.prop("leaves a type that is not taggable exactly as it was", [userTags], ([tags]) => {
    const input: JsonObject = deepFreeze({
      AuthType: "AWS_IAM",
      TargetFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
      Tags: tags.map((t) => ({ Key: t.key, Value: t.value }))
    })
    const result = applyDefaultTags(schemaOf("AWS::Lambda::Url"), input, defaults)
    assert.strictEqual(result.properties, input)
    assert.deepStrictEqual(result.tags, [])
  })

  it("adds nothing when default tags are disabled", () => {
    const input = { BucketName: "b", Tags: [{ Key: "a", Value: "b" }] }
    const result = applyDefaultTags(schemaOf("AWS::S3::Bucket"), input, [])
    assert.strictEqual(result.properties, input)
    assert.deepStrictEqual(result.tags, [{ key: "a", value: "b", source: "user" }])
  })

  it("writes the schema's shape and tag property", () => {
    const vault = applyDefaultTags(schemaOf("AWS::Backup::BackupVault"), { BackupVaultName: "v" }, defaults)
    assert.deepStrictEqual(vault.properties["BackupVaultTags"], {
      MANAGED_BY: "CCAPI-MCP-SERVER",
      MCP_SERVER_SOURCE_CODE: "https://github.com/ccapi-dev/ccapi",
      MCP_SERVER_VERSION: "1.2.3",
      team: "platform"
    })
    assert.isUndefined(vault.properties["Tags"])
    const bucket = applyDefaultTags(
      schemaOf("AWS::S3::Bucket"),
      { Tags: [{ Key: "MANAGED_BY", Value: "me" }] },
      defaults
    )
    assert.deepStrictEqual((bucket.properties["Tags"] as ReadonlyArray<unknown>)[0], { Key: "MANAGED_BY", Value: "me" })
    assert.deepStrictEqual(bucket.tags[0], { key: "MANAGED_BY", value: "me", source: "user" })
  })

  it("does not rewrite a tag property given in the wrong shape (the validator reports it)", () => {
    const input = { Tags: { a: "b" } }
    const result = applyDefaultTags(schemaOf("AWS::S3::Bucket"), input, defaults)
    assert.strictEqual(result.properties, input)
  })
})

describe("readTags", () => {
  it("reads both shapes", () => {
    const s3 = schemaOf("AWS::S3::Bucket")
    assert.deepStrictEqual(readTags(s3, { Tags: [{ Key: "a", Value: "1" }, { Key: "b" }, "junk"] }), [
      { key: "a", value: "1" },
      { key: "b", value: "" }
    ])
    assert.deepStrictEqual(readTags(s3, { Tags: { a: "1" } }), [{ key: "a", value: "1" }])
    assert.deepStrictEqual(readTags(schemaOf("AWS::Lambda::Url"), { Tags: { a: "1" } }), [])
  })
})
