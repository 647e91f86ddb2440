import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Result, Schema } from "effect"
import { templateFor } from "../src/workflow/CfnTemplate.js"
import { defaultTags } from "../src/policy/DefaultTags.js"
import { applyPatch } from "../src/json/JsonPatch.js"
import { ClientToken, identifier, region, typeName } from "../src/model/Ids.js"
import type { PatchDocument } from "../src/model/Cloud.js"
import type { JsonObject } from "../src/model/Json.js"
import {
  CreatePlan,
  DeletePlan,
  type GuardrailSubject,
  type GuardrailVerdict,
  identifierOf,
  Plan,
  UpdatePlan
} from "../src/model/Plan.js"
import type { ResourceSchema } from "../src/model/ResourceSchema.js"
import {
  clientTokenFor,
  maskWriteOnly,
  type PlanContext,
  type PlanFields,
  planCreate,
  planDelete,
  planHash,
  planUpdate
} from "../src/workflow/Plans.js"
import { deepFreeze, schemaOf } from "./schemaData.js"

const defaults = defaultTags({ version: "1.0.0", sourceUrl: "https://github.com/ccapi-dev/ccapi", extra: [] })
const DEFAULT_LIST = defaults.map((t) => ({ Key: t.key, Value: t.value }))

const contextFor = (
  schema: ResourceSchema,
  options: { defaultTags?: PlanContext["defaultTags"]; verdicts?: ReadonlyArray<GuardrailVerdict> } = {}
) => {
  const subjects: Array<GuardrailSubject> = []
  const ctx: PlanContext = {
    schema,
    accountId: "123456789012",
    region: region("us-east-1"),
    now: 1_750_000_000_000,
    defaultTags: options.defaultTags ?? defaults,
    guardrails: (subject) => {
      subjects.push(subject)
      return options.verdicts ?? []
    }
  }
  return { ctx, subjects }
}

const s3 = () => schemaOf("AWS::S3::Bucket")
const bucketId = identifier("my-bucket")
/** A bucket as Cloud Control's GetResource returns it: read-only attributes included, default tags present. */
const liveBucket: JsonObject = deepFreeze({
  BucketName: "my-bucket",
  Arn: "arn:aws:s3:::my-bucket",
  DomainName: "my-bucket.s3.amazonaws.com",
  RegionalDomainName: "my-bucket.s3.us-east-1.amazonaws.com",
  Tags: [...DEFAULT_LIST, { Key: "team", Value: "data" }]
})

const right = <A, E>(either: Result.Result<A, E>): A => {
  if (Result.isFailure(either)) assert.fail(`expected success, got ${JSON.stringify(either.failure)}`)
  return either.success
}
const left = <A, E>(either: Result.Result<A, E>): E => {
  if (Result.isSuccess(either)) assert.fail(`expected failure, got ${JSON.stringify(either.success)}`)
  return either.failure
}

describe("templateFor", () => {
  it("wraps the properties in a one-resource template named after the type", () => {
    assert.deepStrictEqual(templateFor(typeName("AWS::S3::Bucket"), { BucketName: "b" }), {
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: { S3Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: "b" } } }
    })
  })
})

describe("planCreate", () => {
  it("sends the properties with default tags, as a template, with guardrails on the desired state", () => {
    const { ctx, subjects } = contextFor(s3(), { verdicts: [{ rule: "r", path: "/p", reason: "why" }] })
    const input = deepFreeze({ BucketName: "b", VersioningConfiguration: { Status: "Enabled" } })
    const plan = right(planCreate(ctx, input))
    assert.strictEqual(plan.operation, "create")
    assert.isUndefined(identifierOf(plan))
    assert.isFalse("identifier" in plan)
    assert.deepStrictEqual(plan.desiredState, { ...input, Tags: DEFAULT_LIST })
    assert.deepStrictEqual(plan.template, templateFor(s3().typeName, plan.desiredState!))
    assert.deepStrictEqual(
      plan.diff.map((d) => [d.path, d.kind, d.flags]),
      [
        ["/BucketName", "added", ["createOnly"]],
        ["/VersioningConfiguration", "added", []],
        ["/Tags", "added", []]
      ]
    )
    assert.deepStrictEqual(
      plan.tags.map((t) => t.source),
      ["default", "default", "default"]
    )
    assert.deepStrictEqual(subjects, [{ operation: "create", typeName: s3().typeName, properties: plan.desiredState! }])
    assert.deepStrictEqual(plan.guardrails, [{ rule: "r", path: "/p", reason: "why" }])
    assert.strictEqual(plan.hash, planHash(plan))
    assert.isTrue(Schema.is(Plan)(plan))
  })

  it("refuses read-only properties, one violation per path", () => {
    const { ctx } = contextFor(s3())
    const error = left(planCreate(ctx, { BucketName: "b", Arn: "arn:aws:s3:::b", WebsiteURL: "http://x" }))
    assert.strictEqual(error._tag, "PropertiesInvalid")
    assert.deepStrictEqual(
      error.violations.map((v) => v.path),
      ["/Arn", "/WebsiteURL"]
    )
    assert.include(error.violations[0]!.message, "AWS sets it")
    assert.include(error.message, "remove them")
  })

  it("adds no tags when they are disabled or the type is not taggable", () => {
    const plain = right(planCreate(contextFor(s3(), { defaultTags: [] }).ctx, { BucketName: "b" }))
    assert.deepStrictEqual(plain.desiredState, { BucketName: "b" })
    const url = { AuthType: "AWS_IAM", TargetFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f" }
    const plan = right(planCreate(contextFor(schemaOf("AWS::Lambda::Url")).ctx, url))
    assert.deepStrictEqual(plan.desiredState, url)
    assert.deepStrictEqual(plan.tags, [])
  })
})

describe("planUpdate", () => {
  const update = (input: { properties?: JsonObject; patchDocument?: unknown }, ctx = contextFor(s3()).ctx) =>
    planUpdate(ctx, { identifier: bucketId, currentState: liveBucket, ...input })

  it("turns new properties into a patch over the writable state, leaving absent keys alone", () => {
    const plan = right(update({ properties: { VersioningConfiguration: { Status: "Enabled" } } }))
    assert.deepStrictEqual(plan.patch, [{ op: "add", path: "/VersioningConfiguration", value: { Status: "Enabled" } }])
    assert.deepStrictEqual(plan.previewState, { ...liveBucket, VersioningConfiguration: { Status: "Enabled" } })
    assert.deepStrictEqual(plan.diff, [
      { path: "/VersioningConfiguration", kind: "added", after: { Status: "Enabled" }, flags: [] }
    ])
    assert.strictEqual(plan.identifier, bucketId)
    assert.deepStrictEqual(plan.currentState, liveBucket)
    const templateProps = (plan.template["Resources"] as JsonObject)["S3Bucket"] as JsonObject
    assert.notProperty(templateProps["Properties"], "Arn")
  })

  it("never patches read-only values of the current state", () => {
    const plan = right(update({ properties: { BucketName: "my-bucket", Tags: [{ Key: "team", Value: "ml" }] } }))
    for (const op of plan.patch!) assert.notMatch(op.path, /^\/(Arn|DomainName|RegionalDomainName)/)
    assert.strictEqual(plan.previewState!["Arn"], liveBucket["Arn"])
  })

  it("keeps default tags when the user's change replaces the tags; user values win", () => {
    const plan = right(
      update({
        patchDocument: [
          {
            op: "replace",
            path: "/Tags",
            value: [
              { Key: "MANAGED_BY", Value: "me" },
              { Key: "x", Value: "y" }
            ]
          }
        ]
      })
    )
    const tags = plan.previewState!["Tags"] as ReadonlyArray<JsonObject>
    assert.deepStrictEqual(tags.slice(0, 2), [
      { Key: "MANAGED_BY", Value: "me" },
      { Key: "x", Value: "y" }
    ])
    assert.sameMembers(
      tags.map((t) => t["Key"]),
      ["MANAGED_BY", "x", "MCP_SERVER_SOURCE_CODE", "MCP_SERVER_VERSION"]
    )
    assert.deepStrictEqual(right(applyPatch(liveBucket, plan.patch!)), plan.previewState)
    assert.deepStrictEqual(
      plan.tags.map((t) => `${t.key}:${t.source}`),
      ["MANAGED_BY:user", "x:user", "MCP_SERVER_SOURCE_CODE:default", "MCP_SERVER_VERSION:default"]
    )
  })

  it("adds the default tags to a resource that lacks them", () => {
    const bare = { BucketName: "my-bucket", Arn: "arn:aws:s3:::my-bucket" }
    const plan = right(
      planUpdate(contextFor(s3()).ctx, {
        identifier: bucketId,
        currentState: bare,
        properties: { VersioningConfiguration: { Status: "Suspended" } }
      })
    )
    assert.deepStrictEqual(plan.previewState!["Tags"], DEFAULT_LIST)
    assert.deepStrictEqual(
      plan.patch!.map((op) => `${op.op} ${op.path}`),
      ["add /VersioningConfiguration", "add /Tags"]
    )
  })

  it("applies a patch document for the preview and evaluates guardrails on it", () => {
    const { ctx, subjects } = contextFor(s3())
    const patch: PatchDocument = [
      { op: "add", path: "/PublicAccessBlockConfiguration", value: { BlockPublicAcls: false } }
    ]
    const plan = right(update({ patchDocument: JSON.stringify(patch) }, ctx))
    assert.deepStrictEqual(plan.patch, patch)
    assert.deepStrictEqual(plan.previewState!["PublicAccessBlockConfiguration"], { BlockPublicAcls: false })
    assert.strictEqual(subjects.length, 1)
    assert.strictEqual(subjects[0]!.operation, "update")
    assert.deepStrictEqual(subjects[0]!.patch, patch)
    assert.deepStrictEqual(subjects[0]!.properties, plan.previewState)
    assert.deepStrictEqual(subjects[0]!.currentState, liveBucket)
  })

  it("refuses a patch that touches read-only properties, naming them", () => {
    const error = left(
      update({
        patchDocument: [
          { op: "add", path: "/VersioningConfiguration", value: { Status: "Enabled" } },
          { op: "replace", path: "/Arn", value: "arn:aws:s3:::other" }
        ]
      })
    )
    assert.strictEqual(error._tag, "PatchInvalid")
    assert.deepStrictEqual(
      (error as { violations: ReadonlyArray<{ path: string }> }).violations.map((v) => v.path),
      ["/1/path"]
    )
    assert.include(error.message, "Arn")
    assert.include(error.message, "read-only")
    assert.include(error.message, "AWS sets")
  })

  it("refuses read-only values hidden inside a parent's new value", () => {
    const error = left(
      update({
        patchDocument: [
          {
            op: "add",
            path: "/MetadataTableConfiguration",
            value: { S3TablesDestination: { TableBucketArn: "arn:x", TableName: "t", TableArn: "arn:forged" } }
          }
        ]
      })
    )
    assert.strictEqual(error._tag, "PatchInvalid")
    assert.include(error.message, "MetadataTableConfiguration/S3TablesDestination/TableArn")
  })

  it("refuses read-only properties among new properties", () => {
    const error = left(update({ properties: { Arn: "arn:aws:s3:::other" } }))
    assert.strictEqual(error._tag, "PropertiesInvalid")
  })

  it("refuses a change to a create-only property and says what to do instead", () => {
    for (const input of [
      { patchDocument: [{ op: "replace", path: "/BucketName", value: "renamed" }] },
      { properties: { BucketName: "renamed" } },
      { patchDocument: [{ op: "remove", path: "/BucketName" }] },
      { patchDocument: [{ op: "move", from: "/BucketName", path: "/Nickname" }] }
    ]) {
      const error = left(update(input))
      assert.strictEqual(error._tag, "NotUpdatable", JSON.stringify(input))
      assert.deepStrictEqual((error as { properties: ReadonlyArray<string> }).properties, ["BucketName"])
      assert.include(error.message, "Cloud Control cannot change BucketName")
      assert.include(error.message, "in place")
      assert.include(error.message, "Create a new resource with the new value")
      assert.include(error.message, "delete the old one")
    }
  })

  it("accepts a create-only property set to the value it already has", () => {
    const plan = right(
      update({ properties: { BucketName: "my-bucket", AccelerateConfiguration: { AccelerationStatus: "Enabled" } } })
    )
    assert.deepStrictEqual(
      plan.patch!.map((op) => op.path),
      ["/AccelerateConfiguration"]
    )
  })

  it("refuses an update that changes nothing", () => {
    for (const input of [
      { patchDocument: [] },
      { patchDocument: "[]" },
      { patchDocument: [{ op: "test", path: "/BucketName", value: "my-bucket" }] },
      { patchDocument: [{ op: "replace", path: "/BucketName", value: "my-bucket" }] },
      { properties: {} },
      { properties: { BucketName: "my-bucket" } }
    ]) {
      const error = left(update(input))
      assert.strictEqual(error._tag, "InvalidInput", JSON.stringify(input))
      assert.include(error.message, "nothing to change")
    }
  })

  it("needs exactly one of properties and patch_document", () => {
    const both = left(update({ properties: { A: 1 }, patchDocument: [] }))
    assert.strictEqual(both._tag, "InvalidInput")
    assert.include(both.message, "exactly one")
    const neither = left(update({}))
    assert.strictEqual(neither._tag, "InvalidInput")
  })

  it("reports a malformed patch and one that does not apply", () => {
    assert.strictEqual(left(update({ patchDocument: [{ op: "merge", path: "/A" }] }))._tag, "PatchInvalid")
    const error = left(update({ patchDocument: [{ op: "replace", path: "/Missing", value: 1 }] }))
    assert.strictEqual(error._tag, "PatchInvalid")
    assert.include(error.message, "operation 0 (replace /Missing)")
  })

  it("flags write-only and create-only changes in the diff", () => {
    const db = schemaOf("AWS::RDS::DBInstance")
    const plan = right(
      planUpdate(contextFor(db).ctx, {
        identifier: identifier("db1"),
        currentState: { DBInstanceIdentifier: "db1", Engine: "postgres", DBInstanceArn: "arn:db", Tags: DEFAULT_LIST },
        patchDocument: [
          { op: "add", path: "/MasterUserPassword", value: "n3w-secret" },
          { op: "replace", path: "/Engine", value: "postgres" }
        ]
      })
    )
    assert.deepStrictEqual(
      plan.diff.map((d) => [d.path, d.kind, d.flags]),
      [["/MasterUserPassword", "added", ["writeOnly"]]]
    )
  })
})

describe("planDelete", () => {
  it("removes every property of the live resource and evaluates guardrails for a delete", () => {
    const { ctx, subjects } = contextFor(s3())
    const plan = planDelete(ctx, { identifier: bucketId, currentState: liveBucket })
    assert.strictEqual(plan.operation, "delete")
    assert.deepStrictEqual(
      plan.diff.map((d) => `${d.kind} ${d.path}`),
      Object.keys(liveBucket).map((k) => `removed /${k}`)
    )
    assert.strictEqual(subjects[0]!.operation, "delete")
    const resource = (plan.template["Resources"] as JsonObject)["S3Bucket"] as JsonObject
    assert.strictEqual((resource["Properties"] as JsonObject)["BucketName"], "my-bucket")
    assert.strictEqual(plan.hash, planHash(plan))
  })
})

describe("planHash", () => {
  const fieldsOf = <P extends Plan>(plan: P): PlanFields<P> => {
    const { hash: _hash, ...fields } = plan
    return fields as unknown as PlanFields<P>
  }
  const updateFields = (): PlanFields<UpdatePlan> =>
    fieldsOf(
      right(
        planUpdate(contextFor(s3(), { verdicts: [{ rule: "r", path: "/p", reason: "x" }] }).ctx, {
          identifier: bucketId,
          currentState: liveBucket,
          properties: { VersioningConfiguration: { Status: "Enabled" } }
        })
      )
    )
  const createFields = (): PlanFields<CreatePlan> =>
    fieldsOf(
      right(
        planCreate(contextFor(s3(), { verdicts: [{ rule: "r", path: "/p", reason: "x" }] }).ctx, {
          BucketName: "b",
          VersioningConfiguration: { Status: "Enabled" }
        })
      )
    )
  const deleteFields = (): PlanFields<DeletePlan> =>
    fieldsOf(planDelete(contextFor(s3()).ctx, { identifier: bucketId, currentState: liveBucket }))

  type Changes<P extends Plan> = { readonly [K in keyof PlanFields<P>]-?: (fields: PlanFields<P>) => PlanFields<P>[K] }

  /** Changes every plan has, whatever its operation. */
  const common = <P extends Plan>() => ({
    accountId: () => "210987654321",
    region: () => region("eu-west-1"),
    typeName: () => typeName("AWS::S3::BucketPolicy"),
    diff: (f: PlanFields<P>) => f.diff.slice(1),
    tags: (f: PlanFields<P>) => [...f.tags, { key: "k", value: "v", source: "user" as const }],
    template: () => ({}),
    guardrails: (f: PlanFields<P>) => (f.guardrails.length > 0 ? [] : [{ rule: "r", path: "/p", reason: "x" }]),
    writeOnlyPaths: (f: PlanFields<P>) => [...f.writeOnlyPaths, "/properties/Secret"],
    createdAt: (f: PlanFields<P>) => f.createdAt + 1
  })

  /** One change per field of each operation's plan: every field is covered by the hash. */
  const createChanges: Changes<CreatePlan> = {
    ...common<CreatePlan>(),
    operation: () => "create",
    desiredState: () => ({ A: 2 })
  }
  const updateChanges: Changes<UpdatePlan> = {
    ...common<UpdatePlan>(),
    operation: () => "update",
    identifier: () => identifier("other-bucket"),
    patch: (f) => [...f.patch, { op: "remove", path: "/Tags/0" }],
    currentState: (f) => ({ ...f.currentState, BucketName: "x" }),
    previewState: (f) => ({ ...f.previewState, Extra: null })
  }
  const deleteChanges: Changes<DeletePlan> = {
    ...common<DeletePlan>(),
    operation: () => "delete",
    identifier: () => identifier("other-bucket"),
    currentState: (f) => ({ ...f.currentState, BucketName: "x" })
  }

  const variants = [
    { name: "create", schema: CreatePlan, changes: createChanges, base: createFields },
    { name: "update", schema: UpdatePlan, changes: updateChanges, base: updateFields },
    { name: "delete", schema: DeletePlan, changes: deleteChanges, base: deleteFields }
  ] as const

  for (const variant of variants) {
    it(`covers every field of a ${variant.name} plan`, () => {
      assert.sameMembers(
        Object.keys(variant.changes),
        Object.keys(variant.schema.fields).filter((k) => k !== "hash")
      )
    })

    it.prop(
      `changes when any one field of a ${variant.name} plan changes`,
      [Arbitrary.schema(Schema.Literals(Object.keys(variant.changes).filter((k) => k !== "operation")))],
      ([field]) => {
        const fields = variant.base() as unknown as Record<string, unknown>
        const change = (variant.changes as unknown as Record<string, (f: unknown) => unknown>)[field]!
        const changed = { ...fields, [field]: change(fields) } as unknown as PlanFields
        assert.notStrictEqual(planHash(changed), planHash(fields as unknown as PlanFields))
      }
    )
  }

  it("changes with the operation: the same fields planned as another operation hash differently", () => {
    const fields = deleteFields()
    const asUpdate = { ...fields, operation: "update", patch: [], previewState: fields.currentState }
    assert.notStrictEqual(planHash(asUpdate as PlanFields), planHash(fields))
  })

  it("is stable: the same plan, rebuilt, has the same hash and the same client token", () => {
    const build = () =>
      right(planCreate(contextFor(s3()).ctx, { BucketName: "b", VersioningConfiguration: { Status: "Enabled" } }))
    const [a, b] = [build(), build()]
    assert.strictEqual(a.hash, b.hash)
    assert.strictEqual(clientTokenFor(a), clientTokenFor(b))
    assert.isTrue(Schema.is(ClientToken)(clientTokenFor(a)))
    assert.match(a.hash, /^[0-9a-f]{64}$/)
  })

  it("does not depend on the order of keys inside objects", () => {
    const fields = updateFields()
    const reordered = Object.fromEntries(Object.entries(fields.currentState).reverse()) as JsonObject
    assert.notDeepEqual(Object.keys(reordered), Object.keys(fields.currentState))
    assert.strictEqual(planHash({ ...fields, currentState: reordered }), planHash(fields))
  })

  it("every plan decodes as the Plan union and keeps its operation's fields only", () => {
    const created = right(planCreate(contextFor(s3()).ctx, { BucketName: "b" }))
    const deleted = planDelete(contextFor(s3()).ctx, { identifier: bucketId, currentState: liveBucket })
    assert.isTrue(Schema.is(Plan)(created))
    assert.isTrue(Schema.is(Plan)(deleted))
    assert.isFalse(Schema.is(Plan)({ ...deleted, identifier: undefined }))
    assert.isFalse("patch" in created)
    assert.isFalse("desiredState" in deleted)
  })
})

describe("maskWriteOnly", () => {
  it("masks write-only values, inside arrays too, and nothing else", () => {
    const input = deepFreeze({
      AccessControl: "Private",
      BucketName: "b",
      LifecycleConfiguration: {
        Rules: [
          { Id: "a", Status: "Enabled", Transition: { StorageClass: "GLACIER", TransitionInDays: 30 } },
          { Id: "b", Status: "Enabled" }
        ]
      }
    })
    assert.deepStrictEqual(maskWriteOnly(input, s3().writeOnlyProperties), {
      AccessControl: "***",
      BucketName: "b",
      LifecycleConfiguration: {
        Rules: [
          { Id: "a", Status: "Enabled", Transition: "***" },
          { Id: "b", Status: "Enabled" }
        ]
      }
    })
  })
})
