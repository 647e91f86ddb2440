import { assert, describe, it } from "@effect/vitest"
import { parseResourceSchema } from "../src/model/ResourceSchema.js"
import { liveDigest, stableState, volatilePaths } from "../src/workflow/LiveState.js"
import { clientTokenFor } from "../src/workflow/Plans.js"
import { CreatePlan } from "../src/model/Plan.js"
import { region, typeName } from "../src/model/Ids.js"

const schema = (() => {
  const parsed = parseResourceSchema(
    JSON.stringify({
      typeName: "AWS::Test::Thing",
      properties: {
        Name: { type: "string" },
        Arn: { type: "string" },
        CreationTime: { type: "string" },
        Status: { type: "string" },
        LastModifiedTime: { type: "string" },
        ApproximateMessageCount: { type: "integer" },
        Secret: { type: "string" },
        Config: { type: "object", properties: { UpdatedAt: { type: "string" }, Size: { type: "integer" } } }
      },
      primaryIdentifier: ["/properties/Name"],
      readOnlyProperties: [
        "/properties/Arn",
        "/properties/CreationTime",
        "/properties/Status",
        "/properties/LastModifiedTime",
        "/properties/ApproximateMessageCount",
        "/properties/Config/UpdatedAt"
      ],
      writeOnlyProperties: ["/properties/Secret"]
    })
  )
  if (parsed._tag !== "Success") throw new Error("schema")
  return parsed.success
})()

describe("the live-state digest", () => {
  it("leaves out write-only and self-changing read-only properties, keeps identity and creation time", () => {
    assert.sameMembers(
      [...volatilePaths(schema)],
      [
        "/properties/Secret",
        "/properties/Status",
        "/properties/LastModifiedTime",
        "/properties/ApproximateMessageCount",
        "/properties/Config/UpdatedAt"
      ]
    )
    const live = {
      Name: "a",
      Arn: "arn:a",
      CreationTime: "t0",
      Status: "ACTIVE",
      LastModifiedTime: "t1",
      ApproximateMessageCount: 3,
      Config: { UpdatedAt: "t2", Size: 1 }
    }
    assert.deepStrictEqual(stableState(live, schema), {
      Name: "a",
      Arn: "arn:a",
      CreationTime: "t0",
      Config: { Size: 1 }
    })
    // Values that change by themselves do not change the digest; anything else does.
    const drifted = {
      ...live,
      Status: "UPDATING",
      LastModifiedTime: "t9",
      ApproximateMessageCount: 7,
      Config: { UpdatedAt: "t8", Size: 1 }
    }
    assert.strictEqual(liveDigest(drifted, schema), liveDigest(live, schema))
    assert.notStrictEqual(liveDigest({ ...live, CreationTime: "t5" }, schema), liveDigest(live, schema), "re-created")
    assert.notStrictEqual(
      liveDigest({ ...live, Config: { UpdatedAt: "t2", Size: 2 } }, schema),
      liveDigest(live, schema)
    )
  })
})

describe("the ClientToken", () => {
  const plan = (createdAt: number, desiredState: Record<string, string>) =>
    new CreatePlan({
      operation: "create",
      accountId: "111122223333",
      region: region("us-east-1"),
      typeName: typeName("AWS::S3::Bucket"),
      desiredState,
      diff: [],
      tags: [],
      template: {},
      guardrails: [],
      writeOnlyPaths: [],
      createdAt,
      hash: `hash-${createdAt}`
    })

  it("is the same for the same change planned twice, and differs for another change or a deliberate duplicate", () => {
    const first = clientTokenFor(plan(1, { BucketName: "b", A: "1" }))
    assert.strictEqual(
      clientTokenFor(plan(2, { A: "1", BucketName: "b" })),
      first,
      "key order and plan time do not count"
    )
    assert.notStrictEqual(clientTokenFor(plan(2, { BucketName: "b", A: "2" })), first)
    assert.notStrictEqual(clientTokenFor(plan(2, { BucketName: "b", A: "1" }), { distinct: true }), first)
    assert.match(first, /^[-A-Za-z0-9+/=]{1,128}$/)
  })
})
