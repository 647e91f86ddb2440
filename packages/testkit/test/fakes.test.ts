import {
  ClientToken,
  CloudControl,
  Identity,
  Journal,
  JournalEntry,
  region,
  TemplateGenerator,
  typeName
} from "@ccapi/core"
import {
  BundledSchemas,
  FakeIdentity,
  FakeSecurityScanner,
  MemoryCloud,
  MemoryJournal,
  MemoryTemplateGenerator
} from "@ccapi/testkit"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { parse } from "yaml"

const east = region("us-east-1")

describe("BundledSchemas", () => {
  it("holds all 1,584 types", () => {
    assert.lengthOf(Object.keys(BundledSchemas.loadProviderSchemas()), 1584)
  })

  it.effect("names similar types when a type does not exist", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.flatMap(BundledSchemas.make, (schemas) => schemas.describe(typeName("AWS::S3::Buckets"), east))
      )
      assert.strictEqual(error._tag, "TypeNotFound")
      assert.include(error.message, "AWS::S3::Bucket")
    })
  )
})

describe("MemoryTemplateGenerator", () => {
  const cloud = MemoryCloud.layerMemory()
  const layer = Layer.merge(cloud, MemoryTemplateGenerator.layerMemory().pipe(Layer.provide(cloud)))

  it.effect("renders YAML that parses to the JSON template, without read-only or write-only properties", () =>
    Effect.gen(function* () {
      const cloudControl = yield* CloudControl
      const generator = yield* TemplateGenerator
      yield* cloudControl.create({
        typeName: typeName("AWS::S3::Bucket"),
        desiredState: {
          BucketName: "yaml-bucket",
          AccessControl: "Private",
          Tags: [{ Key: "note", Value: "yes: no # not a comment" }]
        },
        clientToken: ClientToken.make("t1"),
        region: east
      })
      const { templateId } = yield* generator.start({
        region: east,
        templateName: "t",
        resources: [{ typeName: typeName("AWS::S3::Bucket"), identifier: { BucketName: "yaml-bucket" } }],
        deletionPolicy: "DELETE",
        updateReplacePolicy: "RETAIN"
      })
      assert.strictEqual((yield* generator.status({ region: east, templateId })).status, "CREATE_IN_PROGRESS")
      assert.strictEqual((yield* generator.status({ region: east, templateId })).status, "COMPLETE")
      const json = JSON.parse((yield* generator.fetch({ region: east, templateId, format: "JSON" })).body)
      const yaml = parse((yield* generator.fetch({ region: east, templateId, format: "YAML" })).body)
      assert.deepStrictEqual(yaml, json)
      const [resource] = Object.values(json.Resources) as Array<{ UpdateReplacePolicy: string; Properties: object }>
      assert.strictEqual(resource!.UpdateReplacePolicy, "Retain")
      assert.deepStrictEqual(Object.keys(resource!.Properties).sort(), ["BucketName", "Tags"])
      const again = yield* Effect.flip(
        generator.start({
          region: east,
          templateName: "t",
          resources: [{ typeName: typeName("AWS::S3::Bucket"), identifier: { BucketName: "yaml-bucket" } }],
          deletionPolicy: "DELETE",
          updateReplacePolicy: "DELETE"
        })
      )
      assert.strictEqual(again._tag, "InvalidRequest")
    }).pipe(Effect.provide(layer))
  )
})

describe("FakeIdentity", () => {
  it.effect("fails like expired or missing credentials when told to", () =>
    Effect.gen(function* () {
      const expired = yield* Effect.flip(
        Effect.flatMap(Identity, (i) => i.whoAmI()).pipe(
          Effect.provide(FakeIdentity.layerTest({ fail: "CredentialsExpired", profile: "dev" }))
        )
      )
      assert.strictEqual(expired._tag, "CredentialsExpired")
      assert.include(expired.message, "aws sso login --profile dev")
      const missing = yield* Effect.flip(
        Effect.flatMap(Identity, (i) => i.whoAmI()).pipe(
          Effect.provide(FakeIdentity.layerTest({ fail: "CredentialsMissing" }))
        )
      )
      assert.strictEqual(missing._tag, "CredentialsMissing")
    })
  )
})

describe("FakeSecurityScanner", () => {
  it("finds a public SSH port and a policy inside a role, given as a JSON string", () => {
    const report = FakeSecurityScanner.scanTemplate({
      Resources: {
        Sg: {
          Type: "AWS::EC2::SecurityGroup",
          Properties: { SecurityGroupIngress: [{ CidrIp: "0.0.0.0/0", FromPort: 22, ToPort: 22, IpProtocol: "tcp" }] }
        },
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            Policies: [
              {
                PolicyName: "p",
                PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["*"], Resource: "*" }] })
              }
            ]
          }
        }
      }
    })
    assert.includeMembers([...report.failedCheckIds], ["CKV_AWS_24", "CKV_AWS_62"])
    assert.include(report.passedCheckIds, "CKV_AWS_25")
    assert.strictEqual(report.findings.find((f) => f.checkId === "CKV_AWS_24")?.location, "/Resources/Sg")
  })

  it.effect("can be unavailable or crash", () =>
    Effect.gen(function* () {
      const scan = (options: FakeSecurityScanner.FakeSecurityScannerOptions) =>
        Effect.flip(FakeSecurityScanner.make(options).scan({ Resources: {} }))
      assert.strictEqual((yield* scan({ unavailable: true }))._tag, "ScannerUnavailable")
      const crashed = yield* scan({ crash: "out of memory" })
      assert.strictEqual(crashed._tag, "ScanFailed")
      assert.include(crashed.message, "out of memory")
    })
  )
})

describe("MemoryJournal", () => {
  it.effect("keeps what was appended, in order", () =>
    Effect.gen(function* () {
      const journal = yield* Journal
      const reader = yield* MemoryJournal.MemoryJournal
      yield* journal.append(new JournalEntry({ at: "2026-01-01T00:00:00Z", event: "plan", details: { n: 1 } }))
      yield* journal.append(new JournalEntry({ at: "2026-01-01T00:00:01Z", event: "refused", details: { n: 2 } }))
      assert.deepStrictEqual(
        (yield* reader.entries).map((e) => e.event),
        ["plan", "refused"]
      )
      yield* reader.clear
      assert.lengthOf(yield* reader.entries, 0)
    }).pipe(Effect.provide(MemoryJournal.layerMemory))
  )
})
