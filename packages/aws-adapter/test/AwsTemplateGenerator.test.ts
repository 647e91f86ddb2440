import { region, TemplateGenerator, typeName } from "@ccapi/core"
import * as Cfn from "@aws-sdk/client-cloudformation"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Mocks, regionOf, testLayer } from "./support.js"

const euWest1 = region("eu-west-1")
const templateId = "arn:aws:cloudformation:eu-west-1:123456789012:generatedtemplate/abc"

describe("AwsTemplateGenerator", () => {
  it.effect("start sends the resources, the name and both policies, in the call's region", () =>
    Effect.gen(function* () {
      const { cfn } = yield* Mocks
      cfn.on(Cfn.CreateGeneratedTemplateCommand).resolves({ GeneratedTemplateId: templateId })
      const generator = yield* TemplateGenerator
      const started = yield* generator.start({
        region: euWest1,
        templateName: "my-export",
        resources: [
          { typeName: typeName("AWS::S3::Bucket"), identifier: { BucketName: "my-bucket" } },
          { typeName: typeName("AWS::SQS::Queue"), identifier: { QueueUrl: "https://sqs/q" } }
        ],
        deletionPolicy: "RETAIN",
        updateReplacePolicy: "DELETE"
      })
      assert.strictEqual(started.templateId, templateId)
      const call = cfn.commandCalls(Cfn.CreateGeneratedTemplateCommand)[0]!
      assert.deepStrictEqual(call.args[0].input, {
        GeneratedTemplateName: "my-export",
        Resources: [
          { ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: "my-bucket" } },
          { ResourceType: "AWS::SQS::Queue", ResourceIdentifier: { QueueUrl: "https://sqs/q" } }
        ],
        TemplateConfiguration: { DeletionPolicy: "RETAIN", UpdateReplacePolicy: "DELETE" }
      })
      assert.strictEqual(yield* Effect.promise(() => regionOf(call)), "eu-west-1")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("status reports the state and AWS's status reason", () =>
    Effect.gen(function* () {
      const { cfn } = yield* Mocks
      cfn.on(Cfn.DescribeGeneratedTemplateCommand, { GeneratedTemplateName: templateId }).resolves({
        GeneratedTemplateId: templateId,
        GeneratedTemplateName: "my-export",
        Status: "FAILED",
        StatusReason: "Resource AWS::S3::Bucket my-bucket not found"
      })
      const generator = yield* TemplateGenerator
      const state = yield* generator.status({ region: euWest1, templateId })
      assert.strictEqual(state.status, "FAILED")
      assert.strictEqual(state.templateName, "my-export")
      assert.strictEqual(state.statusReason, "Resource AWS::S3::Bucket my-bucket not found")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect(
    "fetch asks for the format and returns the body; a template without a body is TemplateGenerationFailed",
    () =>
      Effect.gen(function* () {
        const { cfn } = yield* Mocks
        cfn
          .on(Cfn.GetGeneratedTemplateCommand, { Format: "YAML" })
          .resolves({ Status: "COMPLETE", TemplateBody: "Resources:\n  Bucket: {}\n" })
          .on(Cfn.GetGeneratedTemplateCommand, { Format: "JSON" })
          .resolves({ Status: "CREATE_IN_PROGRESS" })
        const generator = yield* TemplateGenerator
        const yaml = yield* generator.fetch({ region: euWest1, templateId, format: "YAML" })
        assert.strictEqual(yaml.body, "Resources:\n  Bucket: {}\n")
        assert.deepStrictEqual(cfn.commandCalls(Cfn.GetGeneratedTemplateCommand)[0]!.args[0].input, {
          GeneratedTemplateName: templateId,
          Format: "YAML"
        })
        const pending = yield* Effect.flip(generator.fetch({ region: euWest1, templateId, format: "JSON" }))
        assert.strictEqual(pending._tag, "TemplateGenerationFailed")
        assert.include(pending.message, "CREATE_IN_PROGRESS")
      }).pipe(Effect.provide(testLayer()))
  )

  it.effect("remove deletes the generated template; a missing one is ResourceNotFound", () =>
    Effect.gen(function* () {
      const { cfn } = yield* Mocks
      cfn
        .on(Cfn.DeleteGeneratedTemplateCommand, { GeneratedTemplateName: templateId })
        .resolves({})
        .on(Cfn.DeleteGeneratedTemplateCommand, { GeneratedTemplateName: "gone" })
        .rejects(new Cfn.GeneratedTemplateNotFoundException({ message: "not found", $metadata: {} }))
      const generator = yield* TemplateGenerator
      yield* generator.remove({ region: euWest1, templateId })
      assert.strictEqual(cfn.commandCalls(Cfn.DeleteGeneratedTemplateCommand).length, 1)
      const missing = yield* Effect.flip(generator.remove({ region: euWest1, templateId: "gone" }))
      assert.strictEqual(missing._tag, "ResourceNotFound")
    }).pipe(Effect.provide(testLayer()))
  )
})
