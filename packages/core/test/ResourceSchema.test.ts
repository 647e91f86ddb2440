import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import { parseResourceSchema } from "../src/index.js"

const all = JSON.parse(
  gunzipSync(readFileSync(new URL("../../memory-cloud/data/us-east-1.json.gz", import.meta.url))).toString("utf8")
) as Record<string, unknown>
const parse = (name: string) => Result.getOrThrow(parseResourceSchema(all[name]))

describe("parseResourceSchema", () => {
  it("parses every bundled provider schema", () => {
    const failures = Object.entries(all).filter(([, doc]) => Result.isFailure(parseResourceSchema(doc)))
    assert.deepStrictEqual(
      failures.map(([name]) => name),
      []
    )
    assert.isAbove(Object.keys(all).length, 1500)
  })

  it("reads identifiers, create-only and read-only paths of AWS::S3::Bucket", () => {
    const s3 = parse("AWS::S3::Bucket")
    assert.deepStrictEqual(s3.primaryIdentifierNames, ["BucketName"])
    assert.include(s3.createOnlyProperties, "/properties/BucketName")
    assert.include(s3.readOnlyProperties, "/properties/Arn")
    assert.strictEqual(s3.tagging.shape, "list")
    assert.strictEqual(s3.tagging.tagPropertyName, "Tags")
  })

  it("tells the tag shape and property from the schema", () => {
    assert.strictEqual(parse("AWS::SSM::Parameter").tagging.shape, "map")
    assert.strictEqual(parse("AWS::Backup::BackupVault").tagging.tagPropertyName, "BackupVaultTags")
    assert.isFalse(parse("AWS::Lambda::Url").tagging.taggable)
    assert.isFalse(parse("AWS::EC2::SubnetRouteTableAssociation").tagging.taggable)
    assert.deepStrictEqual(parse("AWS::ApiGateway::Stage").primaryIdentifierNames, ["RestApiId", "StageName"])
  })

  it("refuses documents that are not provider schemas", () => {
    assert.isTrue(Result.isFailure(parseResourceSchema("{not json")))
    assert.isTrue(Result.isFailure(parseResourceSchema({ typeName: "S3Bucket" })))
    assert.isTrue(Result.isFailure(parseResourceSchema([1, 2])))
  })
})
