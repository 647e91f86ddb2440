import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Result, Schema } from "effect"
import { defaultTags } from "../src/policy/DefaultTags.js"
import { renderContent, renderExplanation } from "../src/render/Explanation.js"
import { Finding, ScanReport } from "../src/model/Cloud.js"
import { identifier, region } from "../src/model/Ids.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../src/model/Json.js"
import type { GuardrailVerdict } from "../src/model/Plan.js"
import type { ResourceSchema } from "../src/model/ResourceSchema.js"
import { type PlanContext, planCreate, planDelete, planUpdate } from "../src/workflow/Plans.js"
import { constantFrom, dictionary, jsonValue as jsonValueOf, oneOf, string, unicodeString } from "./arbitraries.js"
import { schemaOf, syntheticSchema } from "./schemaData.js"

const defaults = defaultTags({ version: "1.0.0", sourceUrl: "https://github.com/ccapi-dev/ccapi", extra: [] })

const contextFor = (schema: ResourceSchema, verdicts: ReadonlyArray<GuardrailVerdict> = []): PlanContext => ({
  schema,
  accountId: "123456789012",
  region: region("eu-central-1"),
  now: Date.UTC(2025, 5, 1, 12, 0, 0),
  defaultTags: defaults,
  guardrails: () => verdicts
})

const right = <A, E>(either: Result.Result<A, E>): A => {
  if (Result.isFailure(either)) assert.fail(`expected success, got ${JSON.stringify(either.failure)}`)
  return either.success
}

/** The JSON in the fenced block that follows a section heading. */
const blockAfter = (markdown: string, heading: string): unknown => {
  const lines = markdown.split("\n")
  const start = lines.indexOf(heading)
  assert.isAtLeast(start, 0, `no section ${heading}`)
  const open = lines.findIndex((l, i) => i > start && /^`{3,}json$/.test(l))
  const fence = lines[open]!.slice(0, -"json".length)
  const close = lines.findIndex((l, i) => i > open && l === fence)
  return JSON.parse(lines.slice(open + 1, close).join("\n"))
}

const headings = (markdown: string) => markdown.split("\n").filter((l) => /^#{1,6} /.test(l))

const SECRET = "Sup3r-Secret-Passw0rd"

const leaves = (value: JsonValue): Array<string | number | boolean | null> =>
  Array.isArray(value)
    ? value.flatMap(leaves)
    : isJsonObject(value)
      ? Object.values(value).flatMap(leaves)
      : [value as string | number | boolean | null]

describe("renderExplanation", () => {
  const db = schemaOf("AWS::RDS::DBInstance")
  const dbProperties: JsonObject = {
    DBInstanceIdentifier: "orders-db",
    Engine: "postgres",
    DBInstanceClass: "db.t3.micro",
    AllocatedStorage: "20",
    MasterUsername: "admin",
    MasterUserPassword: SECRET,
    StorageEncrypted: true,
    VPCSecurityGroups: ["sg-1", "sg-2"],
    ProcessorFeatures: [{ Name: "coreCount", Value: "2" }],
    Tags: [{ Key: "team", Value: "orders" }]
  }

  it("shows where, what and every property of a create, with write-only values masked", () => {
    const plan = right(planCreate(contextFor(db), dbProperties))
    const text = renderExplanation(plan)
    assert.notInclude(text, SECRET)
    for (const fact of ["`create`", "`123456789012`", "`eu-central-1`", "`AWS::RDS::DBInstance`", plan.hash])
      assert.include(text, fact)
    assert.include(text, "assigned by AWS when the resource is created")
    const shown = blockAfter(text, "## Properties that will be sent") as JsonObject
    assert.deepStrictEqual(shown, { ...plan.desiredState, MasterUserPassword: "***" })
    assert.include(text, "shown as `***`")
  })

  it("masks a write-only value in the patch and the diff of an update", () => {
    const plan = right(
      planUpdate(contextFor(db), {
        identifier: identifier("orders-db"),
        currentState: { DBInstanceIdentifier: "orders-db", Engine: "postgres", Tags: [] },
        patchDocument: [{ op: "add", path: "/MasterUserPassword", value: SECRET }]
      })
    )
    const text = renderExplanation(plan)
    assert.notInclude(text, SECRET)
    const ops = blockAfter(text, "## Patch sent to Cloud Control") as ReadonlyArray<JsonObject>
    assert.deepStrictEqual(ops[0], { op: "add", path: "/MasterUserPassword", value: "***" })
    assert.match(text, /\| `\/MasterUserPassword` \| added \| — \| `"\*\*\*"` \| writeOnly \|/)
    assert.include(text, "`orders-db`")
  })

  it("shows the diff before and after, the tags and their source, guardrails and scan findings", () => {
    const s3 = schemaOf("AWS::S3::Bucket")
    const live = {
      BucketName: "logs",
      VersioningConfiguration: { Status: "Suspended" },
      Tags: [{ Key: "team", Value: "ops" }]
    }
    const plan = right(
      planUpdate(
        contextFor(s3, [
          { rule: "s3-public-access", path: "/PublicAccessBlockConfiguration", reason: "blocks are off" }
        ]),
        {
          identifier: identifier("logs"),
          currentState: live,
          properties: { VersioningConfiguration: { Status: "Enabled" } }
        }
      )
    )
    const scan = new ScanReport({
      scanner: "checkov",
      scannerVersion: "3.2.0",
      passed: 10,
      failed: 1,
      skipped: 0,
      findings: [
        new Finding({
          checkId: "CKV_AWS_18",
          title: "Ensure the S3 bucket has access logging enabled",
          resource: "AWS::S3::Bucket.S3Bucket",
          severity: "LOW",
          guideline: "https://docs.example/ckv_aws_18"
        })
      ],
      passedCheckIds: []
    })
    const text = renderExplanation(plan, scan)
    assert.include(text, '| `/VersioningConfiguration/Status` | changed | `"Suspended"` | `"Enabled"` |  |')
    assert.include(text, "| `team` | `ops` | user |")
    assert.include(text, "| `MANAGED_BY` | `CCAPI-MCP-SERVER` | default (added by the server) |")
    assert.include(text, "| `s3-public-access` | `/PublicAccessBlockConfiguration` | `blocks are off` |")
    assert.include(text, "cannot be applied")
    for (const fact of [
      "`CKV_AWS_18`",
      "access logging",
      "`AWS::S3::Bucket.S3Bucket`",
      "`LOW`",
      "https://docs.example/ckv_aws_18"
    ])
      assert.include(text, fact)
    assert.include(text, "10 passed, 1 failed, 0 skipped")
    const after = blockAfter(text, "## Properties after the update") as JsonObject
    assert.deepStrictEqual(after, plan.previewState)
  })

  it("says when there is nothing to report", () => {
    const plan = right(planCreate(contextFor(schemaOf("AWS::S3::Bucket")), { BucketName: "b" }))
    const text = renderExplanation(plan)
    assert.include(text, "None: the plan breaks no guardrail rule.")
    assert.include(text, "No scan results are attached")
  })

  it("shows the whole live resource of a delete", () => {
    const live = { DBInstanceIdentifier: "orders-db", Engine: "postgres", Endpoint: { Address: "x.rds", Port: "5432" } }
    const plan = planDelete(contextFor(db), { identifier: identifier("orders-db"), currentState: live })
    const text = renderExplanation(plan)
    assert.deepStrictEqual(blockAfter(text, "## Resource that will be deleted"), live)
    assert.include(text, "`delete`")
  })

  const jsonValue = jsonValueOf({
    leaves: [
      Arbitrary.Constant(null),
      Arbitrary.schema(Schema.Boolean),
      Arbitrary.schema(Schema.Int),
      Arbitrary.schema(Schema.Finite),
      unicodeString({ maxLength: 12 }),
      constantFrom("```", "\n## Guardrails\n\nNone", "| a | b |", "\u202eevil", "<script>", "`x`")
    ],
    key: string({ maxLength: 8 })
  })
  const synthetic = syntheticSchema({ properties: { Anything: {} } })
  const anyProperties = dictionary(
    oneOf(string({ maxLength: 10 }), constantFrom("```", "## Plan hash", "a|b")),
    jsonValue,
    { maxKeys: 6 }
  )

  it.prop(
    "contains every nested property value, and nothing in them can add a section",
    [anyProperties],
    ([properties]) => {
      const plan = right(planCreate(contextFor(synthetic), properties))
      const text = renderExplanation(plan)
      assert.deepStrictEqual(
        blockAfter(text, "## Properties that will be sent"),
        JSON.parse(JSON.stringify(properties))
      )
      assert.deepStrictEqual(headings(text), [
        "# Create `Test::Demo::Thing`",
        "## Properties that will be sent",
        "## Tags",
        "## Guardrails",
        "## Security scan",
        "## Plan hash"
      ])
      assert.notInclude(text, "\u202e")
      for (const leaf of leaves(properties))
        if (typeof leaf === "string" && /^[a-z]{4,}$/.test(leaf)) assert.include(text, leaf)
    }
  )

  it.prop(
    "is deterministic: the same plan renders the same text",
    [anyProperties, Arbitrary.array(string({ maxLength: 12 }), { maxLength: 3 })],
    ([properties, reasons]) => {
      const verdicts = reasons.map((reason, i) => ({ rule: `rule-${i}`, path: "/Anything", reason }))
      const one = right(planCreate(contextFor(synthetic, verdicts), properties))
      const two = right(planCreate(contextFor(synthetic, verdicts), structuredClone(properties)))
      assert.strictEqual(renderExplanation(one), renderExplanation(two))
      assert.strictEqual(renderExplanation(one), renderExplanation(one))
      assert.strictEqual(headings(renderExplanation(one)).length, 6)
    }
  )
})

describe("renderContent", () => {
  it("describes arbitrary content and shows it in full", () => {
    const content = { resource_type: "AWS::S3::Bucket", properties: { BucketName: "b", Tags: [] } }
    const text = renderContent(content)
    assert.include(text, '| `resource_type` | string | `"AWS::S3::Bucket"` |')
    assert.deepStrictEqual(blockAfter(text, "## Full content"), content)
    assert.include(text, "not a plan")
    assert.include(renderContent(undefined), "Nothing was given")
    assert.include(renderContent("```\n# forged"), "````")
  })
})
