import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import type { JsonObject } from "../src/model/Json.js"
import { JournalEntry } from "../src/ports/Journal.js"
import { reconcilePending } from "../src/usecases/Reconcile.js"
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

/**
 * The journal a process killed right after sending leaves behind: everything up to its last `mutation_intent`, and
 * nothing after it. `change` rewrites that intent's details (another account, a redacted value).
 */
const killedAfterSending = (harness: Harness, change: (details: JsonObject) => JsonObject = (d) => d) => {
  const at = harness.journal.map((entry) => entry.event).lastIndexOf("mutation_intent")
  const intent = harness.journal[at]!
  harness.journal.splice(
    at,
    harness.journal.length - at,
    new JournalEntry({ ...intent, details: change(intent.details) })
  )
  return intent
}

/** The entries that closed the intent `intentId`. */
const closing = (harness: Harness, intentId: string | undefined) =>
  harness.journal.filter((entry) => entry.intentId === intentId && entry.event !== "mutation_intent")

describe("reconciling at start the intents a killed process left open", () => {
  it.effect("a create is sent again exactly as journaled, with its ClientToken, and its request token recorded", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const created = yield* createResource(yield* planCreate("killed-bucket"))
        const intent = killedAfterSending(harness)
        const report = yield* reconcilePending()
        assert.deepStrictEqual(report, {
          pending: 1,
          settled: [{ intentId: intent.intentId!, clientToken: created.clientToken, as: "recovered" }]
        })
        assert.strictEqual(harness.sent.length, 2)
        assert.deepStrictEqual(harness.sent[1]!.input, harness.sent[0]!.input)
        const [submitted] = closing(harness, intent.intentId)
        assert.strictEqual(submitted?.event, "mutation_submitted")
        assert.strictEqual(submitted?.planHash, created.planHash)
        assert.strictEqual(submitted?.details["reconciled"], "recovered")
        assert.strictEqual(submitted?.details["requestToken"], "req-2")
        // Settled: the next start has nothing to do.
        assert.deepStrictEqual(yield* reconcilePending(), { pending: 0, settled: [] })
        assert.strictEqual(harness.sent.length, 2)
      })
    )
  )

  it.effect("an intent younger than minAge (another replica may be sending it) is left alone", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        yield* createResource(yield* planCreate("young-bucket"))
        const intent = killedAfterSending(harness)
        const report = yield* reconcilePending({ minAgeMillis: 60_000 })
        assert.deepStrictEqual(
          report.settled.map((s) => s.as),
          ["unknown"]
        )
        assert.strictEqual(harness.sent.length, 1)
        assert.deepStrictEqual(closing(harness, intent.intentId), [])
      })
    )
  )

  it.effect("an intent older than a day, or without the whole request, is closed as needs_check, not sent", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        yield* createResource(yield* planCreate("old-bucket"))
        const old = killedAfterSending(harness)
        yield* TestClock.adjust("25 hours")
        yield* createResource(yield* planCreate("redacted-bucket"))
        const redacted = killedAfterSending(harness, (d) => ({
          ...d,
          desiredState: { BucketName: "redacted-bucket", Secret: "[redacted]" }
        }))
        const report = yield* reconcilePending()
        assert.deepStrictEqual(
          report.settled.map((s) => s.as),
          ["needs_check", "needs_check"]
        )
        assert.strictEqual(harness.sent.length, 2, "neither was sent again")
        for (const [intent, why] of [
          [old, "older than a day"],
          [redacted, "does not hold the whole request"]
        ] as const) {
          const [outcome] = closing(harness, intent.intentId)
          assert.strictEqual(outcome?.event, "mutation_outcome")
          assert.strictEqual(outcome?.details["status"], "UNKNOWN")
          assert.include(String(outcome?.details["why"]), why)
        }
      })
    )
  )

  it.effect("an intent of another account than the credentials' now is never sent to this one", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        yield* createResource(yield* planCreate("elsewhere-bucket"))
        const intent = killedAfterSending(harness, (d) => ({ ...d, accountId: "999988887777" }))
        const report = yield* reconcilePending()
        assert.deepStrictEqual(
          report.settled.map((s) => s.as),
          ["other_account"]
        )
        assert.strictEqual(harness.sent.length, 1)
        assert.deepStrictEqual(closing(harness, intent.intentId), [], "left open for its own account")
      })
    )
  )

  it.effect("a delete whose resource changed since it was explained is not sent; one whose resource is gone is", () =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          const credentialsToken = yield* credentials
          const deleteBucket = (name: string) =>
            Effect.gen(function* () {
              seedResource(harness, "AWS::S3::Bucket", name, liveBucket(name))
              const explained = yield* explain({
                _tag: "ExplainDelete",
                typeName: bucket,
                identifier: identifier(name)
              })
              yield* deleteResource({
                credentialsToken,
                explainedToken: explained.explainedToken!,
                typeName: bucket,
                identifier: identifier(name),
                confirmed: true
              })
              return killedAfterSending(harness)
            })
          const changed = yield* deleteBucket("changed-bucket")
          // Someone made a bucket of that name again, with other properties, after the delete was applied.
          seedResource(harness, "AWS::S3::Bucket", "changed-bucket", {
            ...liveBucket("changed-bucket"),
            VersioningConfiguration: { Status: "Enabled" }
          })
          const gone = yield* deleteBucket("gone-bucket")
          const report = yield* reconcilePending()
          assert.deepStrictEqual(
            report.settled.map((s) => s.as),
            ["needs_check", "refused"]
          )
          assert.include(String(closing(harness, changed.intentId)[0]?.details["why"]), "no longer the one")
          // Sent again: the fake cloud no longer has it and refuses (ResourceNotFound); the real one would answer
          // with the original request for that ClientToken.
          assert.strictEqual(harness.sent.length, 3)
          assert.strictEqual((harness.sent[2]!.input as { identifier: unknown }).identifier, "gone-bucket")
          const [outcome] = closing(harness, gone.intentId)
          assert.strictEqual(outcome?.details["status"], "REFUSED")
          assert.strictEqual(outcome?.details["errorCode"], "ResourceNotFound")
        }),
      { settings: { securityScanning: "disabled", deleteLimit: 5 }, approverAvailable: true }
    )
  )
})
