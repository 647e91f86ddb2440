import {
  Approver,
  createTemplate,
  type CodeFormat,
  type JsonObject,
  Region,
  SessionState,
  StartTemplate,
  type TemplateOutputFormat,
  type TemplateResource,
  TypeName,
  WorkflowSettings
} from "@ccapi/core"
import { BundledSchemas, FakeIdentity, MemoryCloud, MemoryJournal, MemoryTemplateGenerator } from "@ccapi/testkit"
import { Duration, Effect, Layer, ManagedRuntime } from "effect"
import { IacConverter } from "../../src/index.js"
import type { CommonResource } from "./CommonResources.js"

/*
 * Realistic templates for the conversions: the resources are created in the memory cloud (validated against their
 * provider schemas), exported by its IaC Generator, and converted by core's `createTemplate` with the real converter —
 * the path create_template takes.
 */

const region = Region.make("us-east-1")

const settings = Layer.succeed(
  WorkflowSettings,
  WorkflowSettings.of({
    readOnly: false,
    securityScanning: "enabled",
    defaultTags: [],
    disabledGuardrails: new Set(),
    approval: "off",
    tokenTtl: { environment: 60_000, credentials: 60_000, workflow: 60_000 },
    deleteLimit: undefined,
    mutationWait: Duration.seconds(5),
    templateWait: Duration.seconds(5),
    listPageSize: { default: 50, max: 100 }
  })
)

const cloud = MemoryCloud.layerWith().pipe(Layer.provide(BundledSchemas.layerMemory))

export const makeExporter = () => {
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      cloud,
      BundledSchemas.layerMemory,
      MemoryTemplateGenerator.layerWith().pipe(Layer.provide(cloud), Layer.provide(BundledSchemas.layerMemory)),
      IacConverter.layer,
      settings,
      SessionState.layer,
      FakeIdentity.layerTest({ profile: "test", credentialSource: "profile" }),
      // Approval is off in these settings: no person is asked, no decision journaled.
      Layer.succeed(
        Approver,
        Approver.of({ channels: [], ask: () => Effect.die("no approval is asked when it is off") })
      ),
      MemoryJournal.layerMemory
    )
  )
  let templates = 0

  /** Create the resources in the memory cloud; their identifier properties, for create_template's `resources`. */
  const seed = (resources: ReadonlyArray<CommonResource>) =>
    runtime.runPromise(
      Effect.gen(function* () {
        const memory = yield* MemoryCloud.MemoryCloud
        const out: Array<TemplateResource> = []
        for (const [i, resource] of resources.entries()) {
          const typeName = TypeName.make(resource.typeName)
          const started = yield* memory.create({
            typeName,
            desiredState: resource.properties as JsonObject,
            clientToken: `seed-${i}-${Math.random().toString(36).slice(2)}` as never,
            region
          })
          const done = yield* memory.requestStatus({ requestToken: started.requestToken, region })
          if (done.status !== "SUCCESS" || done.identifier === undefined)
            return yield* Effect.die(`${resource.typeName} was not created: ${done.statusMessage ?? done.status}`)
          const names = BundledSchemas.schemaOf(resource.typeName)!.primaryIdentifierNames
          const parts = done.identifier.split("|")
          out.push({ typeName, identifier: Object.fromEntries(names.map((n, j) => [n, parts[j]!])) })
        }
        return out
      })
    )

  /** create_template's result for these resources in this format. */
  const exportAs = (format: TemplateOutputFormat, resources: ReadonlyArray<TemplateResource>, name?: string) =>
    runtime.runPromise(
      createTemplate(
        StartTemplate.make({
          region,
          format,
          resources,
          deletionPolicy: "RETAIN",
          updateReplacePolicy: "RETAIN",
          templateName: name ?? `convert-test-${++templates}`
        })
      )
    )

  /** The CloudFormation template (JSON, parsed) and the same export in a code format. */
  const both = async (format: CodeFormat, resources: ReadonlyArray<TemplateResource>) => {
    const source = await exportAs("JSON", resources)
    const converted = await exportAs(format, resources)
    return { template: JSON.parse(source.body!) as JsonObject, converted }
  }

  return { seed, exportAs, both, dispose: () => runtime.dispose() }
}
