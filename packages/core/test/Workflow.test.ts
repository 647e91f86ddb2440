import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import { ApprovalStore } from "../src/ports/ApprovalStore.js"
import { createResource, deleteResource, updateResource } from "../src/usecases/Mutations.js"
import { explain, generateCode, runScan } from "../src/usecases/Planning.js"
import { getResource, listResources } from "../src/usecases/Reads.js"
import { GeneratedCode, MutationResult, ResourceList, ResourceView, ScanOutcome } from "../src/usecases/Results.js"
import { SessionState } from "../src/workflow/Settings.js"
import { issueToken, readToken } from "../src/workflow/WorkflowTokens.js"
import { identifier, typeName } from "../src/model/Ids.js"
import { liveBucket } from "./support/Plans.js"
import { accountId, type Harness, seedResource, withWorkflow } from "./support/Workflow.js"

/*
 * The use-cases end to end over core's fakes: what is sent is exactly what was planned, and when the journal or the
 * token store fails, a mutation is not sent (before it) or its request token still comes back (after it).
 */

const bucket = typeName("AWS::S3::Bucket")

const credentials = issueToken(
  "credentials",
  { chainId: "session", parent: "environment_test", accountId, region: "us-east-1" },
  3_600_000
)

/** generate for a new bucket: the credentials token and the generated code. */
const generateBucket = (name: string) =>
  Effect.gen(function* () {
    const credentialsToken = yield* credentials
    const generated = yield* generateCode({ credentialsToken, typeName: bucket, properties: { BucketName: name } })
    return { credentialsToken, generated }
  })

/** generate → explain → run_checkov for a new bucket; the tokens a create needs. */
const planCreate = (name: string) =>
  Effect.gen(function* () {
    const { credentialsToken, generated } = yield* generateBucket(name)
    const explained = yield* explain({ _tag: "ExplainPlan", generatedCodeToken: generated.generatedCodeToken })
    const scan = yield* runScan({ explainedToken: explained.explainedToken! })
    assert.isTrue(Schema.is(GeneratedCode)(generated))
    assert.isTrue(Schema.is(ScanOutcome)(scan))
    return {
      credentialsToken,
      explainedToken: explained.explainedToken!,
      securityScanToken: scan.securityScanToken,
      typeName: bucket,
      skipSecurityCheck: false,
      acceptFindings: [],
      plan: generated.plan
    }
  })

const events = (harness: Harness) => harness.journal.map((entry) => entry.event)

describe("the workflow over core's fakes", () => {
  it.effect("a create sends exactly the planned desired state, its intent journaled before it is sent", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const request = yield* planCreate("exact-bucket")
        const created = yield* createResource(request)
        assert.strictEqual(created.status, "SUCCESS")
        assert.strictEqual(created.identifier, "exact-bucket")
        assert.isTrue(Schema.is(MutationResult)(created))
        assert.deepStrictEqual(harness.sent.length, 1)
        assert.deepStrictEqual(
          (harness.sent[0]!.input as { desiredState: unknown }).desiredState,
          request.plan.properties
        )
        assert.deepStrictEqual(events(harness), [
          "plan",
          "explained",
          "scan",
          "mutation_intent",
          "mutation_submitted",
          "mutation_outcome"
        ])
        const intent = harness.journal[3]!
        // The ClientToken is derived from what is applied, not from the plan (whose hash covers its creation time).
        assert.strictEqual(intent.details["clientToken"], created.clientToken)
        assert.notStrictEqual(created.clientToken, created.planHash)
        assert.strictEqual((harness.sent[0]!.input as { clientToken?: unknown }).clientToken, created.clientToken)
        const replay = yield* Effect.flip(createResource(request))
        assert.strictEqual(replay._tag, "TokenSpent")
        assert.strictEqual(harness.sent.length, 1)
      })
    )
  )

  it.effect("an update sends exactly the planned patch, a delete exactly the explained identifier", () =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          seedResource(harness, "AWS::S3::Bucket", "live-bucket", liveBucket("live-bucket"))
          const credentialsToken = yield* credentials
          const generated = yield* generateCode({
            credentialsToken,
            typeName: bucket,
            identifier: identifier("live-bucket"),
            properties: { VersioningConfiguration: { Status: "Enabled" } }
          })
          const explained = yield* explain({ _tag: "ExplainPlan", generatedCodeToken: generated.generatedCodeToken })
          yield* updateResource({
            credentialsToken,
            explainedToken: explained.explainedToken!,
            typeName: bucket,
            identifier: identifier("live-bucket"),
            skipSecurityCheck: true,
            acceptFindings: []
          })
          assert.deepStrictEqual((harness.sent[0]!.input as { patch: unknown }).patch, generated.plan.patch)

          const toDelete = yield* explain({
            _tag: "ExplainDelete",
            typeName: bucket,
            identifier: identifier("live-bucket")
          })
          yield* deleteResource({
            credentialsToken,
            explainedToken: toDelete.explainedToken!,
            typeName: bucket,
            identifier: identifier("live-bucket"),
            confirmed: true
          })
          assert.strictEqual((harness.sent[1]!.input as { identifier: unknown }).identifier, "live-bucket")
          assert.strictEqual(yield* (yield* SessionState).deletes.used, 1)
        }),
      { settings: { securityScanning: "disabled" }, approverAvailable: true }
    )
  )

  it.effect("of concurrent submissions of one plan exactly one is sent", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const request = yield* planCreate("race-bucket")
        const results = yield* Effect.all(
          Array.from({ length: 5 }, () => Effect.result(createResource(request))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Result.isSuccess).length, 1)
        assert.strictEqual(harness.sent.length, 1)
      })
    )
  )
})

describe("the journal or the token store fails", () => {
  it.effect("a mutation whose intent cannot be journaled is not sent, and its tokens still work afterwards", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const request = yield* planCreate("unjournaled-bucket")
        harness.journalDown = (entry) => entry.event === "mutation_intent"
        const error = yield* Effect.flip(createResource(request))
        assert.strictEqual(error._tag, "JournalUnavailable")
        assert.deepStrictEqual(harness.sent, [])
        yield* readToken(request.explainedToken, "explained")
        harness.journalDown = () => false
        const created = yield* createResource(request)
        assert.strictEqual(created.status, "SUCCESS")
        assert.strictEqual(harness.sent.length, 1)
      })
    )
  )

  it.effect("a mutation whose token the store cannot spend is not sent", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const request = yield* planCreate("unspendable-bucket")
        harness.storeDown = (operation) => operation === "take"
        const error = yield* Effect.flip(createResource(request))
        assert.strictEqual(error._tag, "StoreUnavailable")
        assert.deepStrictEqual(harness.sent, [])
        assert.notInclude(events(harness), "mutation_submitted")
      })
    )
  )

  it.effect("a store that cannot be read is StoreUnavailable, not an unknown token, and nothing is sent", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const request = yield* planCreate("unreadable-bucket")
        harness.storeDown = () => true
        const error = yield* Effect.flip(createResource(request))
        assert.strictEqual(error._tag, "StoreUnavailable")
        assert.notInclude(error.message, request.explainedToken ?? "")
        assert.deepStrictEqual(harness.sent, [])
      })
    )
  )

  it.effect("an approval that cannot be journaled stops the change before it is sent", () =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          const request = yield* planCreate("approved-bucket")
          harness.journalDown = (entry) => entry.event === "approval"
          const error = yield* Effect.flip(createResource(request))
          assert.strictEqual(error._tag, "JournalUnavailable")
          assert.strictEqual(harness.asked.length, 1)
          assert.deepStrictEqual(harness.sent, [])
        }),
      { approverAvailable: true }
    )
  )

  it.effect("once sent, a journal that fails still returns the request token, with a warning", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const request = yield* planCreate("sent-bucket")
        harness.journalDown = (entry) => entry.event === "mutation_submitted" || entry.event === "mutation_outcome"
        const created = yield* createResource(request)
        assert.strictEqual(created.status, "SUCCESS")
        assert.isString(created.requestToken)
        assert.strictEqual(harness.sent.length, 1)
        assert.strictEqual(created.warnings.length, 2)
        for (const warning of created.warnings) assert.include(warning, "JournalUnavailable")
        assert.include(created.warnings[0], "submitted request")
      })
    )
  )

  it.effect("a plan the journal cannot record gets no token", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const credentialsToken = yield* credentials
        const before = yield* (yield* ApprovalStore).size
        harness.journalDown = () => true
        const error = yield* Effect.flip(
          generateCode({ credentialsToken, typeName: bucket, properties: { BucketName: "b" } })
        )
        assert.strictEqual(error._tag, "JournalUnavailable")
        assert.strictEqual(yield* (yield* ApprovalStore).size, before)
      })
    )
  )

  it.effect("an explanation the journal cannot record keeps the plan's token, to explain it again later", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const { generated } = yield* generateBucket("b")
        harness.journalDown = (entry) => entry.event === "explained"
        const error = yield* Effect.flip(
          explain({ _tag: "ExplainPlan", generatedCodeToken: generated.generatedCodeToken })
        )
        assert.strictEqual(error._tag, "JournalUnavailable")
        harness.journalDown = () => false
        const explained = yield* explain({ _tag: "ExplainPlan", generatedCodeToken: generated.generatedCodeToken })
        assert.isString(explained.explainedToken)
      })
    )
  )

  it.effect("a scan the journal cannot record gets no scan token", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const { generated } = yield* generateBucket("b")
        const explained = yield* explain({ _tag: "ExplainPlan", generatedCodeToken: generated.generatedCodeToken })
        const before = yield* (yield* ApprovalStore).size
        harness.journalDown = (entry) => entry.event === "scan"
        const error = yield* Effect.flip(runScan({ explainedToken: explained.explainedToken! }))
        assert.strictEqual(error._tag, "JournalUnavailable")
        assert.strictEqual(yield* (yield* ApprovalStore).size, before)
      })
    )
  )

  it.effect("reads keep working when the journal and the token store are down", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        seedResource(harness, "AWS::S3::Bucket", "read-bucket", liveBucket("read-bucket"))
        harness.journalDown = () => true
        harness.storeDown = () => true
        const resource = yield* getResource({
          typeName: bucket,
          identifier: identifier("read-bucket"),
          analyzeSecurity: false
        })
        assert.strictEqual(resource.properties["BucketName"], "read-bucket")
        assert.isTrue(Schema.is(ResourceView)(resource))
        const listed = yield* listResources({ typeName: bucket, analyzeSecurity: false })
        assert.isTrue(Schema.is(ResourceList)(listed))
        assert.deepStrictEqual(
          listed.resources.map((r) => r.identifier),
          ["read-bucket"]
        )
      })
    )
  )
})
