import { assert, describe, it } from "@effect/vitest"
import { parse } from "yaml"
import { cleanBucket, useTestServers } from "./support/TestServer.js"

/*
 * create_template in read-only mode: the app layer chooses `TemplatesFromReads` as the TemplateGenerator, which reads
 * the live resources and writes nothing; the IaC Generator is never started.
 */

const start = useTestServers()
const BUCKET = "AWS::S3::Bucket"
const bucket = (name: string) => ({ ResourceType: BUCKET, ResourceIdentifier: { BucketName: name } })

describe("create_template in read-only mode", () => {
  it("returns the same template as JSON and as YAML, complete at once, with no template id", async () => {
    const t = await start({ config: { readOnly: true } })
    await t.seed(BUCKET, cleanBucket("ro-one"))
    await t.seed(BUCKET, cleanBucket("ro-two"))
    const resources = [bucket("ro-one"), bucket("ro-two")]
    const json = await t.must("create_template", { resources, output_format: "JSON", template_name: "mine" })
    const yaml = await t.must("create_template", { resources, deletion_policy: "DELETE" })

    for (const out of [json, yaml]) {
      assert.strictEqual(out["status"], "COMPLETE")
      assert.strictEqual(out["source"], "reads")
      assert.isUndefined(out["template_id"])
      assert.include(out["next_step"], "because the server is read-only")
      assert.deepStrictEqual(out["resources"], [
        { logical_id: "S3Bucket", resource_type: BUCKET },
        { logical_id: "S3Bucket2", resource_type: BUCKET }
      ])
    }
    assert.strictEqual(json["template_name"], "mine")
    assert.strictEqual(json["format"], "JSON")
    assert.strictEqual(yaml["format"], "YAML")
    const fromJson = JSON.parse(json["template_body"])
    const fromYaml = parse(yaml["template_body"])
    assert.strictEqual(fromJson["Resources"]["S3Bucket"]["Properties"]["BucketName"], "ro-one")
    assert.strictEqual(fromJson["Resources"]["S3Bucket"]["DeletionPolicy"], "Retain")
    assert.strictEqual(fromYaml["Resources"]["S3Bucket2"]["Properties"]["BucketName"], "ro-two")
    assert.strictEqual(fromYaml["Resources"]["S3Bucket2"]["DeletionPolicy"], "Delete")
    assert.deepStrictEqual(
      fromYaml["Resources"]["S3Bucket"]["Properties"],
      fromJson["Resources"]["S3Bucket"]["Properties"]
    )
    assert.strictEqual(t.counts.templates, 0)
  })

  it("reports a resource that does not exist, and an identifier without its primary identifier, as before", async () => {
    const t = await start({ config: { readOnly: true } })
    const missing = await t.call("create_template", { resources: [bucket("no-such-bucket")] })
    assert.isFalse(missing.ok)
    assert.match(missing.text, /^ResourceNotFound: /)
    const incomplete = await t.call("create_template", {
      resources: [{ ResourceType: BUCKET, ResourceIdentifier: { Name: "x" } }]
    })
    assert.isFalse(incomplete.ok)
    assert.strictEqual(
      incomplete.text.split("\n")[0],
      "InvalidInput: ResourceIdentifier for AWS::S3::Bucket needs BucketName."
    )
    assert.strictEqual(t.counts.templates, 0)
  })

  it("does not look up an IaC Generator template by template_id: it says so, and what to do instead", async () => {
    const t = await start({ config: { readOnly: true } })
    const out = await t.call("create_template", { template_id: "arn:aws:cloudformation:us-east-1:123456789012:x" })
    assert.isFalse(out.ok)
    assert.match(out.text, /^ResourceNotFound: .*read-only.*create_template with resources/)
    assert.strictEqual(t.counts.templates, 0)
  })
})
