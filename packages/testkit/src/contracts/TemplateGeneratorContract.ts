import {
  ClientToken,
  CloudControl,
  type GeneratedTemplateState,
  isJsonObject,
  type Region,
  TemplateGenerator,
  typeName
} from "@ccapi/core"
import { randomHex } from "@ccapi/memory-cloud"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer, Result } from "effect"
import { awaitDone, pause, regionOf, testFor, type Timing, uniqueName } from "./support.js"

export interface TemplateGeneratorHarness extends Timing {
  /** A fresh generator and the cloud whose resources it reads. */
  readonly layer: () => Layer.Layer<TemplateGenerator | CloudControl>
  readonly region?: Region
}

const parameter = typeName("AWS::SSM::Parameter")

/** What every IaC Generator must do: start, report progress, then serve the template built from live resources. */
export const templateGeneratorContract = (name: string, harness: TemplateGeneratorHarness): void => {
  const region = regionOf(harness.region)
  const test = testFor(harness)
  const run = <A, E>(effect: Effect.Effect<A, E, TemplateGenerator | CloudControl>) =>
    Effect.provide(effect, harness.layer())

  const newParameter = Effect.gen(function* () {
    const cloud = yield* CloudControl
    const parameterName = yield* uniqueName("ccapi-contract")
    const started = yield* cloud.create({
      typeName: parameter,
      desiredState: { Name: parameterName, Type: "String", Value: "v1" },
      clientToken: ClientToken.make(yield* randomHex(32)),
      region
    })
    const done = yield* awaitDone(started, region, harness)
    assert.strictEqual(done.status, "SUCCESS", done.statusMessage)
    return parameterName
  })

  const awaitTemplate = (templateId: string) =>
    Effect.gen(function* () {
      const generator = yield* TemplateGenerator
      let state: GeneratedTemplateState = yield* generator.status({ region, templateId })
      for (let i = 0; i < (harness.maxPolls ?? 60) && state.status !== "COMPLETE" && state.status !== "FAILED"; i++) {
        yield* pause(harness)
        state = yield* generator.status({ region, templateId })
      }
      return state
    })

  describe(`TemplateGenerator contract: ${name}`, () => {
    test("a template of a live resource completes and holds its type, properties and policies", () =>
      run(
        Effect.gen(function* () {
          const generator = yield* TemplateGenerator
          const parameterName = yield* newParameter
          const { templateId } = yield* generator.start({
            region,
            templateName: yield* uniqueName("ccapi-contract"),
            resources: [{ typeName: parameter, identifier: { Name: parameterName } }],
            deletionPolicy: "RETAIN",
            updateReplacePolicy: "RETAIN"
          })
          const state = yield* awaitTemplate(templateId)
          assert.strictEqual(state.status, "COMPLETE", state.statusReason)
          const { body } = yield* generator.fetch({ region, templateId, format: "JSON" })
          const template: unknown = JSON.parse(body)
          assert.isTrue(isJsonObject(template))
          const resources = Object.values(
            (template as { Resources: Record<string, Record<string, unknown>> }).Resources
          )
          assert.lengthOf(resources, 1)
          assert.strictEqual(resources[0]!["Type"], "AWS::SSM::Parameter")
          assert.strictEqual(resources[0]!["DeletionPolicy"], "Retain")
          assert.strictEqual((resources[0]!["Properties"] as Record<string, unknown>)["Name"], parameterName)
          const yaml = yield* generator.fetch({ region, templateId, format: "YAML" })
          assert.include(yaml.body, "AWS::SSM::Parameter")
          yield* generator.remove({ region, templateId })
          const gone = yield* Effect.flip(generator.status({ region, templateId }))
          assert.strictEqual(gone._tag, "ResourceNotFound")
        })
      ))

    test("a template of a resource that does not exist fails with a reason", () =>
      run(
        Effect.gen(function* () {
          const generator = yield* TemplateGenerator
          const started = yield* Effect.result(
            generator.start({
              region,
              templateName: yield* uniqueName("ccapi-contract"),
              resources: [{ typeName: parameter, identifier: { Name: yield* uniqueName("missing") } }],
              deletionPolicy: "DELETE",
              updateReplacePolicy: "DELETE"
            })
          )
          if (Result.isFailure(started)) return assert.isNotEmpty(started.failure.message)
          const state = yield* awaitTemplate(started.success.templateId)
          assert.strictEqual(state.status, "FAILED")
          assert.isNotEmpty(state.statusReason ?? "")
        })
      ))
  })
}
