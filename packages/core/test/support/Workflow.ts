import { Effect, Layer, Option, Ref } from "effect"
import * as ApprovalStoreMemory from "../../src/memory/ApprovalStoreMemory.js"
import { JournalUnavailable, ResourceNotFound, StoreUnavailable } from "../../src/model/Errors.js"
import { applyPatch } from "../../src/json/JsonPatch.js"
import {
  CallerIdentity,
  EnvironmentInfo,
  ProgressEvent,
  ResourceDescription,
  ResourcePage,
  ScanReport
} from "../../src/model/Cloud.js"
import { type Identifier, identifier as makeIdentifier, RequestToken } from "../../src/model/Ids.js"
import type { JsonObject } from "../../src/model/Json.js"
import type { Plan } from "../../src/model/Plan.js"
import { ApprovalStore } from "../../src/ports/ApprovalStore.js"
import {
  type ApprovalChannel,
  type ApprovalDecision,
  type ApprovalRequest,
  Approver
} from "../../src/ports/Approver.js"
import { CloudControl } from "../../src/ports/CloudControl.js"
import { Identity } from "../../src/ports/Identity.js"
import { Journal, type JournalEntry, pendingIntentsOf } from "../../src/ports/Journal.js"
import { PropertyValidator } from "../../src/ports/PropertyValidator.js"
import { ResourceSchemas } from "../../src/ports/ResourceSchemas.js"
import { SecurityScanner } from "../../src/ports/SecurityScanner.js"
import { SessionState, WorkflowSettings } from "../../src/workflow/Settings.js"
import { issueToken } from "../../src/workflow/WorkflowTokens.js"
import type { WorkflowServices } from "../../src/usecases/WorkflowServices.js"
import { schemaOf } from "../schemaData.js"
import * as SeededTokenIds from "./TokenIds.js"

/*
 * The workflow's ports as small in-memory fakes, for core tests of the gates and the use-cases. Faults are switches
 * a test flips while it runs: the journal or the token store goes down, for one kind of entry or operation.
 */

export const accountId = "111122223333"

export type StoreOperation = "put" | "get" | "take" | "size"

/** What a test can change and read while the workflow runs. */
export interface Harness {
  /** Entries the journal refuses (JournalUnavailable); none by default. */
  journalDown: (entry: JournalEntry) => boolean
  /** Store operations that fail (StoreUnavailable); none by default. */
  storeDown: (operation: StoreOperation) => boolean
  /** How the human answers, when the approver is available. */
  answer: ApprovalDecision["answer"]
  readonly journal: Array<JournalEntry>
  readonly asked: Array<ApprovalRequest>
  /** Every mutation Cloud Control received, in order. */
  readonly sent: Array<{ readonly operation: "create" | "update" | "delete"; readonly input: unknown }>
  /** Live resources by `type|identifier`. */
  readonly resources: Map<string, JsonObject>
  /** What the scanner reports for every template. */
  report: ScanReport
}

export const passingReport = new ScanReport({
  scanner: "fake",
  passed: 3,
  failed: 0,
  skipped: 0,
  findings: [],
  passedCheckIds: ["CKV_1", "CKV_2", "CKV_3"]
})

export const failingReport = (checkIds: ReadonlyArray<string>) =>
  new ScanReport({
    scanner: "fake",
    passed: 1,
    failed: checkIds.length,
    skipped: 0,
    findings: checkIds.map((checkId) => ({
      checkId,
      title: `check ${checkId}`,
      resource: "AWS::S3::Bucket.S3Bucket",
      severity: null,
      guideline: null
    })),
    passedCheckIds: ["CKV_OK"]
  })

export const newHarness = (): Harness => ({
  journalDown: () => false,
  storeDown: () => false,
  answer: "approved",
  journal: [],
  asked: [],
  sent: [],
  resources: new Map(),
  report: passingReport
})

export interface WorkflowOptions {
  readonly settings?: Partial<WorkflowSettings["Service"]>
  /** Whether the client can ask its user (MCP elicitation). Default: no. */
  readonly approverAvailable?: boolean
  /** The channels to a person (overrides approverAvailable, which means a client form). */
  readonly channels?: ReadonlyArray<ApprovalChannel>
  readonly capacity?: number
}

export const settingsOf = (overrides: Partial<WorkflowSettings["Service"]> = {}): WorkflowSettings["Service"] =>
  WorkflowSettings.of({
    readOnly: false,
    securityScanning: "enabled",
    defaultTags: [],
    disabledGuardrails: new Set(),
    approval: "auto",
    tokenTtl: { environment: 3_600_000, credentials: 3_600_000, workflow: 900_000 },
    deleteLimit: undefined,
    mutationWait: "5 seconds",
    templateWait: "5 seconds",
    listPageSize: { default: 50, max: 100 },
    ...overrides
  })

const keyOf = (typeName: string, identifier: string) => `${typeName}|${identifier}`

const cloudOf = (harness: Harness) =>
  Effect.gen(function* () {
    const events = yield* Ref.make(new Map<string, ProgressEvent>())
    let counter = 0
    const finish = (event: Omit<ConstructorParameters<typeof ProgressEvent>[0], "requestToken" | "status">) =>
      Effect.gen(function* () {
        counter += 1
        const done = new ProgressEvent({
          ...event,
          requestToken: RequestToken.make(`req-${counter}`),
          status: "SUCCESS"
        })
        yield* Ref.update(events, (all) => new Map(all).set(done.requestToken, done))
        return done
      })
    const notFound = (typeName: string, identifier: string) =>
      new ResourceNotFound({ typeName, identifier, message: `${typeName} ${identifier} not found` })
    return CloudControl.of({
      create: (input) =>
        Effect.suspend(() => {
          harness.sent.push({ operation: "create", input })
          const id = makeIdentifier(String(input.desiredState["BucketName"] ?? `generated-${counter + 1}`))
          harness.resources.set(keyOf(input.typeName, id), input.desiredState)
          return finish({ typeName: input.typeName, identifier: id, operation: "CREATE" })
        }),
      update: (input) =>
        Effect.suspend(() => {
          harness.sent.push({ operation: "update", input })
          const current = harness.resources.get(keyOf(input.typeName, input.identifier))
          if (current === undefined) return Effect.fail(notFound(input.typeName, input.identifier))
          const patched = applyPatch(current, input.patch)
          if (patched._tag === "Success")
            harness.resources.set(keyOf(input.typeName, input.identifier), patched.success)
          return finish({ typeName: input.typeName, identifier: input.identifier, operation: "UPDATE" })
        }),
      delete: (input) =>
        Effect.suspend(() => {
          harness.sent.push({ operation: "delete", input })
          if (!harness.resources.delete(keyOf(input.typeName, input.identifier)))
            return Effect.fail(notFound(input.typeName, input.identifier))
          return finish({ typeName: input.typeName, identifier: input.identifier, operation: "DELETE" })
        }),
      get: (input) =>
        Effect.suspend(() => {
          const properties = harness.resources.get(keyOf(input.typeName, input.identifier))
          return properties === undefined
            ? Effect.fail(notFound(input.typeName, input.identifier))
            : Effect.succeed(new ResourceDescription({ identifier: input.identifier, properties }))
        }),
      list: (input) =>
        Effect.sync(
          () =>
            new ResourcePage({
              typeName: input.typeName,
              resources: [...harness.resources.entries()]
                .filter(([key]) => key.startsWith(`${input.typeName}|`))
                .map(
                  ([key, properties]) =>
                    new ResourceDescription({ identifier: makeIdentifier(key.split("|")[1]!), properties })
                )
            })
        ),
      requestStatus: (input) =>
        Effect.flatMap(Ref.get(events), (all) =>
          Option.match(Option.fromNullishOr(all.get(input.requestToken)), {
            onNone: () => Effect.die(`unknown request ${input.requestToken}`),
            onSome: Effect.succeed
          })
        ),
      cancel: (input) => Effect.die(`cancel ${input.requestToken} is not faked`)
    })
  })

const storeOf = (harness: Harness, capacity: number) =>
  Effect.map(ApprovalStoreMemory.make({ capacity }), (inner) => {
    const guard =
      (operation: StoreOperation) =>
      <A>(effect: Effect.Effect<A, StoreUnavailable>): Effect.Effect<A, StoreUnavailable> =>
        // A scheduling point before every operation, so that concurrent workflows really interleave.
        Effect.suspend(() =>
          harness.storeDown(operation)
            ? Effect.fail(
                new StoreUnavailable({
                  message: `The token store did not answer (${operation}). Nothing was changed; try again shortly.`
                })
              )
            : Effect.andThen(Effect.yieldNow, effect)
        )
    return ApprovalStore.of({
      put: (id, record) => guard("put")(inner.put(id, record)),
      get: (id) => guard("get")(inner.get(id)),
      take: (id) => guard("take")(inner.take(id)),
      // Spending is the store's take-and-tombstone: it fails where a take does.
      spend: (tombstone) => guard("take")(inner.spend(tombstone)),
      size: guard("size")(inner.size)
    })
  })

/** What the test layer provides: the workflow's services, and a session's own state and approver. */
export type HarnessServices = WorkflowServices | Approver | SessionState

/** Every port the workflow uses, over `harness`; the approver as `options` says. */
export const workflowLayer = (harness: Harness, options: WorkflowOptions = {}): Layer.Layer<HarnessServices> =>
  Layer.mergeAll(
    Layer.effect(ApprovalStore, storeOf(harness, options.capacity ?? 1000)),
    Layer.succeed(
      Approver,
      Approver.of({
        channels: options.channels ?? (options.approverAvailable === true ? ["elicitation_form"] : []),
        ask: (request, channel) =>
          Effect.sync(() => {
            harness.asked.push(request)
            return { answer: harness.answer, channel, decidedAt: 0, by: undefined }
          })
      })
    ),
    Layer.effect(CloudControl, cloudOf(harness)),
    Layer.succeed(
      Identity,
      Identity.of({
        environment: Effect.succeed(
          new EnvironmentInfo({ region: "us-east-1", regionSource: "environment", variablesSet: ["AWS_REGION"] })
        ),
        whoAmI: (region) =>
          Effect.succeed(
            new CallerIdentity({
              accountId,
              arn: `arn:aws:iam::${accountId}:user/test`,
              userId: "AIDATEST",
              credentialSource: "profile",
              region: region ?? "us-east-1"
            })
          )
      })
    ),
    Layer.succeed(
      Journal,
      Journal.of({
        pendingIntents: Effect.sync(() => pendingIntentsOf(harness.journal)),
        append: (entry) =>
          Effect.suspend(() => {
            if (harness.journalDown(entry))
              return Effect.fail(
                new JournalUnavailable({
                  message: "The journal cannot be written. Ask the operator to fix it; reads keep working."
                })
              )
            harness.journal.push(entry)
            return Effect.void
          })
      })
    ),
    Layer.succeed(PropertyValidator, PropertyValidator.of({ validate: () => Effect.succeed([]) })),
    Layer.succeed(
      ResourceSchemas,
      ResourceSchemas.of({ describe: (typeName) => Effect.sync(() => schemaOf(typeName)) })
    ),
    Layer.succeed(SecurityScanner, SecurityScanner.of({ scan: () => Effect.sync(() => harness.report) })),
    SessionState.layer,
    SeededTokenIds.layerSeeded(),
    Layer.succeed(WorkflowSettings, settingsOf(options.settings))
  )

/** Put a resource straight into the fake cloud. */
export const seedResource = (harness: Harness, typeName: string, id: string, properties: JsonObject): Identifier => {
  harness.resources.set(keyOf(typeName, id), properties)
  return makeIdentifier(id)
}

/** A credentials token and an explained token for `plan`, issued as the workflow issues them. */
export const tokensFor = (plan: Plan, options: { readonly credentialsAccount?: string } = {}) =>
  Effect.gen(function* () {
    const credentials = yield* issueToken(
      "credentials",
      {
        chainId: "session",
        parent: "environment_test",
        accountId: options.credentialsAccount ?? accountId,
        region: "us-east-1"
      },
      3_600_000
    )
    const explained = yield* issueToken(
      "explained",
      plan.operation === "delete"
        ? { chainId: "w-delete", accountId: plan.accountId, region: plan.region, plan }
        : {
            chainId: "w",
            parent: "generated_code_test",
            origin: credentials,
            accountId: plan.accountId,
            region: plan.region,
            plan
          },
      900_000
    )
    return { credentials, explained }
  })

/** Run `body` with a fresh harness and the workflow's ports over it. */
export const withWorkflow = <A, E>(
  body: (harness: Harness) => Effect.Effect<A, E, HarnessServices>,
  options: WorkflowOptions = {}
): Effect.Effect<A, E> => {
  const harness = newHarness()
  return Effect.provide(body(harness), workflowLayer(harness, options))
}
