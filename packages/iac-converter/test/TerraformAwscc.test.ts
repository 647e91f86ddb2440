import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type ConvertibleResource, Identifier, type JsonObject, Region, TypeName } from "@ccapi/core"
import { BundledSchemas } from "@ccapi/testkit"
import { Effect, Exit } from "effect"
import { IacConverter, resourceTypeName } from "../src/index.js"
import { commonResources } from "./support/CommonResources.js"
import { makeExporter } from "./support/Exports.js"
import { parseHcl, propertiesFromHcl } from "./support/Hcl.js"

/*
 * Terraform for awscc, checked by reading it back: the HCL parses (HashiCorp's parser), each resource is the awscc type
 * of its CloudFormation type with an import block holding the identifier the cloud gave it, and its attributes turn
 * back into exactly the template's properties through the provider schema.
 */

const exporter = makeExporter()
let exported: Awaited<ReturnType<typeof exporter.both>>
let identifiers: Map<string, string>

beforeAll(async () => {
  const resources = await exporter.seed(commonResources)
  identifiers = new Map(
    resources.map((r) => [
      r.typeName,
      BundledSchemas.schemaOf(r.typeName)!
        .primaryIdentifierNames.map((n) => r.identifier[n])
        .join("|")
    ])
  )
  exported = await exporter.both("terraform", resources)
}, 120_000)
afterAll(() => exporter.dispose())

const templateResources = () => Object.entries(exported.template["Resources"] as Record<string, JsonObject>)

describe(`Terraform (awscc) from the IaC Generator's template of ${commonResources.length} common types`, () => {
  it("parses, declares the awscc provider in the region, and has one resource and one import block per resource", async () => {
    assert.isUndefined(exported.converted.conversionError)
    assert.strictEqual(exported.converted.format, "terraform")
    const hcl = await parseHcl(exported.converted.body!)
    assert.deepStrictEqual(hcl.terraform, [{ required_providers: [{ awscc: { source: "hashicorp/awscc" } }] }])
    assert.deepStrictEqual(hcl.provider, { awscc: [{ region: "us-east-1" }] })
    const types = new Set(templateResources().map(([, r]) => r["Type"] as string))
    assert.isAtLeast(types.size, 15)
    const imports = new Map((hcl.import ?? []).map((i) => [i.to, i.id]))
    assert.strictEqual(imports.size, templateResources().length)
    for (const [, resource] of templateResources()) {
      const typeName = resource["Type"] as string
      const blocks = hcl.resource?.[resourceTypeName(typeName)!]
      assert.isDefined(blocks, `a resource block for ${typeName}`)
      const [name] = Object.keys(blocks!)
      assert.strictEqual(imports.get(`\${${resourceTypeName(typeName)}.${name}}`), identifiers.get(typeName), typeName)
    }
    assert.deepStrictEqual(exported.converted.warnings, [])
  })

  it("round-trips: every attribute is the awscc name of one property, and the values are the template's", async () => {
    const hcl = await parseHcl(exported.converted.body!)
    for (const [, resource] of templateResources()) {
      const typeName = resource["Type"] as string
      const schema = BundledSchemas.schemaOf(typeName)!
      const [block] = Object.values(hcl.resource![resourceTypeName(typeName)!]!)
      const back = await propertiesFromHcl(schema, block![0]!)
      assert.deepStrictEqual(back, resource["Properties"], typeName)
      // Retain in CloudFormation is prevent_destroy in Terraform.
      assert.deepStrictEqual(block![0]!["lifecycle"], [{ prevent_destroy: true }], typeName)
    }
  })
})

const region = Region.make("us-east-1")
const resourceOf = (logicalId: string, typeName: string, identifier?: string): ConvertibleResource => ({
  logicalId,
  typeName: TypeName.make(typeName),
  identifier: identifier === undefined ? undefined : Identifier.make(identifier),
  schema: BundledSchemas.schemaOf(typeName)
})
const convert = (template: JsonObject, resources: ReadonlyArray<ConvertibleResource>) =>
  Effect.runPromiseExit(IacConverter.make.convert({ format: "terraform", template, name: "t", region, resources }))
const failureOf = async (template: JsonObject, resources: ReadonlyArray<ConvertibleResource>) => {
  const exit = await convert(template, resources)
  if (Exit.isSuccess(exit)) return assert.fail(`expected ConversionFailed, got:\n${exit.value.body}`)
  const error = exit.cause.reasons[0]
  assert.strictEqual(error?._tag, "Fail")
  return (error as unknown as { error: { _tag: string; format: string; message: string } }).error
}

describe("Terraform (awscc) of hand-made templates", () => {
  it("writes Ref and Fn::GetAtt between the template's resources as references, DependsOn as depends_on", async () => {
    const template = {
      Resources: {
        Logs: { Type: "AWS::S3::Bucket", Properties: { BucketName: "logs" } },
        Site: {
          Type: "AWS::S3::Bucket",
          DependsOn: "Logs",
          Properties: {
            BucketName: "site",
            LoggingConfiguration: { DestinationBucketName: { Ref: "Logs" } },
            Tags: [{ Key: "logs-arn", Value: { "Fn::GetAtt": ["Logs", "Arn"] } }]
          }
        }
      }
    }
    const exit = await convert(template, [
      resourceOf("Logs", "AWS::S3::Bucket", "logs"),
      resourceOf("Site", "AWS::S3::Bucket")
    ])
    assert.isTrue(Exit.isSuccess(exit))
    const converted = Exit.isSuccess(exit) ? exit.value : assert.fail()
    const hcl = await parseHcl(converted.body)
    const site = hcl.resource!["awscc_s3_bucket"]!["site"]![0]!
    assert.deepStrictEqual(site["logging_configuration"], {
      destination_bucket_name: "${awscc_s3_bucket.logs.bucket_name}"
    })
    assert.deepStrictEqual(site["tags"], [{ key: "logs-arn", value: "${awscc_s3_bucket.logs.arn}" }])
    assert.deepStrictEqual(site["depends_on"], ["${awscc_s3_bucket.logs}"])
    assert.lengthOf(hcl.import!, 1)
    assert.match(
      converted.warnings[0]!,
      /^Site \(AWS::S3::Bucket\) has no import block: its Cloud Control identifier is not known/
    )
  })

  it("keeps text as text: quotes, newlines and template sequences are escaped", async () => {
    const description = 'say "hi"\n${not.a.reference} %{if x}'
    const template = {
      Resources: { Q: { Type: "AWS::SNS::Topic", Properties: { TopicName: "q", DisplayName: description } } }
    }
    const exit = await convert(template, [resourceOf("Q", "AWS::SNS::Topic", "arn:aws:sns:us-east-1:1:q")])
    const converted = Exit.isSuccess(exit) ? exit.value : assert.fail("conversion failed")
    assert.include(converted.body, '"say \\"hi\\"\\n$${not.a.reference} %%{if x}"')
    const hcl = await parseHcl(converted.body)
    // hcl2json keeps a literal "${" as "$${" in its JSON (its own escape for "not an interpolation").
    assert.strictEqual(
      hcl.resource!["awscc_sns_topic"]!["q"]![0]!["display_name"],
      description.split("${").join("$${").split("%{").join("%%{")
    )
  })

  it("fails, naming the construct, on what it cannot express", async () => {
    const sub = await failureOf(
      {
        Resources: { B: { Type: "AWS::S3::Bucket", Properties: { BucketName: { "Fn::Sub": "${AWS::AccountId}-b" } } } }
      },
      [resourceOf("B", "AWS::S3::Bucket")]
    )
    assert.strictEqual(sub._tag, "ConversionFailed")
    assert.strictEqual(sub.format, "terraform")
    assert.match(sub.message, /^Resources\.B\.Properties\.BucketName: Fn::Sub cannot be written for awscc/)

    const custom = await failureOf(
      { Resources: { C: { Type: "Custom::Thing", Properties: { ServiceToken: "arn" } } } },
      []
    )
    assert.match(custom.message, /^Resources\.C: Custom::Thing is not an AWS resource type/)

    const conditions = await failureOf(
      { Conditions: { Prod: { "Fn::Equals": ["a", "b"] } }, Resources: { B: { Type: "AWS::S3::Bucket" } } },
      [resourceOf("B", "AWS::S3::Bucket")]
    )
    assert.match(conditions.message, /the template has Conditions/)

    const unknown = await failureOf(
      { Resources: { B: { Type: "AWS::S3::Bucket", Properties: { BucketNam: "typo" } } } },
      [resourceOf("B", "AWS::S3::Bucket")]
    )
    assert.match(
      unknown.message,
      /^Resources\.B\.Properties\.BucketNam: not a property in the provider schema of AWS::S3::Bucket/
    )

    const noSchema = await failureOf({ Resources: { B: { Type: "AWS::S3::Bucket" } } }, [
      { ...resourceOf("B", "AWS::S3::Bucket"), schema: undefined }
    ])
    assert.match(noSchema.message, /provider schema of AWS::S3::Bucket could not be read/)

    const wrongShape = await failureOf(
      { Resources: { B: { Type: "AWS::S3::Bucket", Properties: { VersioningConfiguration: ["Enabled"] } } } },
      [resourceOf("B", "AWS::S3::Bucket")]
    )
    assert.match(wrongShape.message, /VersioningConfiguration: the schema of AWS::S3::Bucket declares an object here/)
  })
})
