import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import { type ExplainedTokenId, identifier, region, typeName } from "../src/model/Ids.js"
import type { CreatePlan, Plan, PlanOperation } from "../src/model/Plan.js"
import type { ExplainedToken } from "../src/model/Token.js"
import { requireApprovalChannel } from "../src/workflow/Approval.js"
import {
  accountGate,
  bindingGate,
  chainGate,
  deleteGate,
  guardrailGate,
  humanApprovalGate,
  readOnlyGate,
  reserveDeleteSlot,
  type ScanDecision,
  securityScanGate
} from "../src/workflow/Gates.js"
import { authorize } from "../src/usecases/Mutations.js"
import { SessionState } from "../src/workflow/Settings.js"
import { issueToken, readToken, spendToken } from "../src/workflow/WorkflowTokens.js"
import { createPlan, deletePlan, planContext, updatePlan } from "./support/Plans.js"
import { planCreate } from "../src/workflow/Plans.js"
import {
  failingReport,
  type Harness,
  type HarnessServices,
  passingReport,
  tokensFor,
  type WorkflowOptions,
  withWorkflow
} from "./support/Workflow.js"

const bucket = typeName("AWS::S3::Bucket")

/** The credentials and explained records of `plan`'s workflow, read as the gates read them. */
const recordsFor = (plan: Parameters<typeof tokensFor>[0], options: Parameters<typeof tokensFor>[1] = {}) =>
  Effect.gen(function* () {
    const tokens = yield* tokensFor(plan, options)
    const credentials = yield* readToken(tokens.credentials, "credentials")
    const explained = yield* readToken(tokens.explained, "explained")
    return { tokens, credentials, explained }
  })

/** Run `body` in a fresh workflow over a create plan and its explained record, read as the gates read it. */
const withExplainedCreate = <A, E>(
  body: (plan: CreatePlan, explained: ExplainedToken, harness: Harness) => Effect.Effect<A, E, HarnessServices>,
  options?: WorkflowOptions
) =>
  withWorkflow(
    (harness) =>
      Effect.gen(function* () {
        const plan = createPlan()
        const { explained } = yield* recordsFor(plan)
        return yield* body(plan, explained, harness)
      }),
    options
  )

/** A scan token for an explained token, holding `report`. */
const scanTokenFor = (explainedId: string, report = passingReport) =>
  issueToken(
    "security_scan",
    { chainId: "w", parent: explainedId, accountId: "111122223333", region: "us-east-1", scan: report },
    900_000
  )

const noScan: ScanDecision = {
  accepted: [],
  acceptedBy: undefined,
  awaitingPerson: [],
  warnings: [],
  findings: [],
  scanTokenId: undefined
}

describe("readOnlyGate", () => {
  it.effect("refuses every mutation on a read-only server, naming the refused step", () =>
    withWorkflow(
      () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(readOnlyGate("delete"))
          assert.strictEqual(error._tag, "ReadOnlyMode")
          assert.strictEqual(error.refused, "delete")
          assert.include(error.message, "no resource can be deleted")
        }),
      { settings: { readOnly: true } }
    )
  )

  it.effect("lets a writable server's mutation on", () => withWorkflow(() => readOnlyGate("create")))
})

describe("chainGate", () => {
  it.effect("passes the tokens of one workflow and returns their records", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const { credentials, explained } = yield* tokensFor(createPlan())
        const records = yield* chainGate("create", { credentialsToken: credentials, explainedToken: explained })
        assert.strictEqual(records.credentials.id, credentials)
        assert.strictEqual(records.explained.plan.operation, "create")
      })
    )
  )

  it.effect("refuses an explained token planned with another credentials token", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const a = yield* tokensFor(createPlan())
        const b = yield* tokensFor(createPlan())
        const error = yield* Effect.flip(
          chainGate("create", { credentialsToken: b.credentials, explainedToken: a.explained })
        )
        assert.strictEqual(error._tag, "TokenChainBroken")
        assert.include(error.message, "does not come from a plan made with this credentials token")
        assert.strictEqual(error._tag === "TokenChainBroken" ? error.reason : undefined, "other_credentials")
      })
    )
  )

  it.effect("refuses a delete explained for another account than the credentials'", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const { credentials, explained } = yield* tokensFor(deletePlan(), { credentialsAccount: "999988887777" })
        const error = yield* Effect.flip(
          chainGate("delete", { credentialsToken: credentials, explainedToken: explained })
        )
        assert.strictEqual(error._tag, "TokenChainBroken")
        assert.include(error.message, "another account")
      })
    )
  )

  it.effect("refuses a spent, an expired and a wrong-kind token", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const spent = yield* tokensFor(createPlan())
        yield* spendToken(spent.explained, "explained")
        const spentError = yield* Effect.flip(
          chainGate("create", { credentialsToken: spent.credentials, explainedToken: spent.explained })
        )
        assert.strictEqual(spentError._tag, "TokenSpent")
        const swapped = yield* Effect.flip(
          chainGate("create", {
            credentialsToken: spent.explained as never,
            explainedToken: spent.credentials as never
          })
        )
        assert.strictEqual(swapped._tag, "TokenInvalid")
        const later = yield* tokensFor(createPlan())
        yield* TestClock.adjust("16 minutes")
        const expired = yield* Effect.flip(
          chainGate("create", { credentialsToken: later.credentials, explainedToken: later.explained })
        )
        assert.strictEqual(expired._tag, "TokenExpired")
      })
    )
  )
})

describe("bindingGate", () => {
  const bind = <O extends PlanOperation>(
    plan: Parameters<typeof tokensFor>[0],
    operation: O,
    request: Partial<Parameters<typeof bindingGate>[2]> = {},
    options: Parameters<typeof tokensFor>[1] = {}
  ) =>
    Effect.gen(function* () {
      const { credentials } = yield* recordsFor(plan, options)
      return yield* bindingGate(
        operation,
        plan,
        { typeName: plan.typeName, identifier: plan.operation === "create" ? undefined : plan.identifier, ...request },
        credentials
      )
    })

  it.effect("returns the plan of the requested operation when everything matches", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const plan = updatePlan()
        const bound = yield* bind(plan, "update", { region: region("us-east-1"), patchDocument: plan.patch })
        assert.strictEqual(bound, plan)
        assert.strictEqual(bound.patch, plan.patch)
      })
    )
  )

  it.effect("refuses another operation, type, identifier, region or account, each by its field", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const plan = updatePlan()
        const cases = [
          [Effect.asVoid(bind(plan, "delete")), "operation", "to update a resource, not to delete one"],
          [
            Effect.asVoid(bind(plan, "update", { typeName: typeName("AWS::SQS::Queue") })),
            "typeName",
            "AWS::SQS::Queue"
          ],
          [Effect.asVoid(bind(plan, "update", { identifier: identifier("other") })), "identifier", '"other"'],
          [Effect.asVoid(bind(plan, "update", { region: region("eu-west-1") })), "region", "eu-west-1"],
          [Effect.asVoid(bind(plan, "update", {}, { credentialsAccount: "999988887777" })), "account", "999988887777"]
        ] as const
        for (const [gate, field, detail] of cases) {
          const error = yield* Effect.flip(gate)
          assert.strictEqual(error._tag, "PlanMismatch")
          assert.strictEqual(error._tag === "PlanMismatch" ? error.field : undefined, field)
          assert.include(error.message, detail)
          assert.include(error.message, "nothing was changed")
        }
      })
    )
  )

  it.effect("refuses a re-sent patch that differs from the explained one", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          bind(updatePlan(), "update", { patchDocument: [{ op: "remove", path: "/BucketName" }] })
        )
        assert.strictEqual(error._tag, "PlanMismatch")
        assert.strictEqual(error._tag === "PlanMismatch" ? error.field : undefined, "patch")
        const unreadable = yield* Effect.flip(bind(updatePlan(), "update", { patchDocument: "not a patch" }))
        assert.strictEqual(unreadable._tag, "PlanMismatch")
      })
    )
  )
})

describe("guardrailGate", () => {
  it.effect("refuses a plan with verdicts, naming each rule and path", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const plan = createPlan("b", { verdicts: [{ rule: "public-bucket", path: "/PublicAccess", reason: "open" }] })
        const error = yield* Effect.flip(guardrailGate(plan))
        assert.strictEqual(error._tag, "GuardrailViolated")
        assert.include(error.message, "public-bucket at /PublicAccess (open)")
      })
    )
  )

  it.effect("lets a plan without verdicts on", () => withWorkflow(() => guardrailGate(createPlan())))
})

describe("deleteGate", () => {
  it.effect("asks nothing of a create or an update", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        yield* deleteGate(createPlan(), {})
        yield* deleteGate(updatePlan(), {})
      })
    )
  )

  it.effect("needs confirmed=true, exactly", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        for (const confirmed of [undefined, false, "true", 1]) {
          // Only `true` confirms, whatever a caller that skipped decoding passes.
          const error = yield* Effect.flip(deleteGate(deletePlan(), { confirmed: confirmed as boolean | undefined }))
          assert.strictEqual(error._tag, "DeleteNotConfirmed")
        }
        yield* deleteGate(deletePlan(), { confirmed: true })
      })
    )
  )

  it.effect("refuses a delete once the session reached the operator's limit", () =>
    withWorkflow(
      () =>
        Effect.gen(function* () {
          yield* deleteGate(deletePlan(), { confirmed: true })
          for (let i = 0; i < 2; i++) yield* (yield* SessionState).deletes.reserve(undefined)
          const error = yield* Effect.flip(deleteGate(deletePlan(), { confirmed: true }))
          assert.strictEqual(error._tag, "DeleteLimitReached")
          assert.include(error.message, "limit of 2 delete(s)")
        }),
      { settings: { deleteLimit: 2 } }
    )
  )
})

describe("reserveDeleteSlot", () => {
  it.effect(
    "of two deletes reserved at once under a limit of one, exactly one gets the slot; giving it back frees it",
    () =>
      withWorkflow(
        () =>
          Effect.gen(function* () {
            const results = yield* Effect.all(
              [reserveDeleteSlot(deletePlan()), reserveDeleteSlot(deletePlan())].map(Effect.result),
              {
                concurrency: "unbounded"
              }
            )
            assert.deepStrictEqual(results.map((r) => (Result.isSuccess(r) ? "reserved" : r.failure._tag)).sort(), [
              "DeleteLimitReached",
              "reserved"
            ])
            assert.strictEqual(yield* (yield* SessionState).deletes.used, 1)
            const release = results.find(Result.isSuccess)!.success
            yield* release
            assert.strictEqual(yield* (yield* SessionState).deletes.used, 0)
            yield* reserveDeleteSlot(deletePlan())
          }),
        { settings: { deleteLimit: 1 } }
      )
  )

  it.effect("reserves nothing for a create or an update", () =>
    withWorkflow(
      () =>
        Effect.gen(function* () {
          yield* reserveDeleteSlot(createPlan())
          yield* reserveDeleteSlot(updatePlan())
          assert.strictEqual(yield* (yield* SessionState).deletes.used, 0)
        }),
      { settings: { deleteLimit: 0 } }
    )
  )
})

describe("accountGate", () => {
  it.effect("lets a plan of the account the credentials resolve to on", () =>
    withWorkflow(() => accountGate(createPlan()))
  )

  it.effect("refuses a plan made for another account than the credentials resolve to now", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const other = Result.getOrThrow(
          planCreate({ ...planContext(), accountId: "999988887777" }, { BucketName: "elsewhere" })
        )
        const error = yield* Effect.flip(accountGate(other))
        assert.strictEqual(error._tag, "PlanMismatch")
        assert.strictEqual(error._tag === "PlanMismatch" ? error.field : "", "account")
        assert.include(error.message, "999988887777")
        assert.include(error.message, "Nothing was sent")
      })
    )
  )
})

describe("requireApprovalChannel", () => {
  it.effect("with CCAPI_APPROVAL=required, refuses a client that cannot ask", () =>
    withWorkflow(
      () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(requireApprovalChannel())
          assert.strictEqual(error._tag, "ApprovalUnavailable")
        }),
      { settings: { approval: "required" } }
    )
  )

  it.effect("with CCAPI_APPROVAL=required, lets a client that can ask on", () =>
    withWorkflow(() => requireApprovalChannel(), { settings: { approval: "required" }, approverAvailable: true })
  )

  it.effect("a delete needs a channel to a person before it is explained, except under CCAPI_APPROVAL=model", () =>
    Effect.gen(function* () {
      const refused = yield* withWorkflow(() => Effect.flip(requireApprovalChannel("delete")))
      assert.strictEqual(refused._tag, "ApprovalUnavailable")
      yield* withWorkflow(() => requireApprovalChannel("create"))
      yield* withWorkflow(() => requireApprovalChannel("delete"), { channels: ["webhook"] })
      yield* withWorkflow(() => requireApprovalChannel("delete"), { settings: { approval: "model" } })
    })
  )
})

describe("securityScanGate", () => {
  it.effect("a delete has no scan; with scanning disabled it carries the warning", () =>
    withWorkflow(
      () =>
        Effect.gen(function* () {
          const { explained } = yield* recordsFor(deletePlan())
          const decision = yield* securityScanGate(deletePlan(), explained, {})
          assert.deepStrictEqual(decision.accepted, [])
          assert.strictEqual(decision.warnings.length, 1)
          assert.include(decision.warnings[0], "SECURITY_SCANNING=disabled")
        }),
      { settings: { securityScanning: "disabled" } }
    )
  )

  it.effect("with scanning enabled, a create without a scan is ScanRequired", () =>
    withExplainedCreate((plan, explained) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(securityScanGate(plan, explained, { skipSecurityCheck: true }))
        assert.strictEqual(error._tag, "ScanRequired")
        assert.strictEqual(error._tag === "ScanRequired" ? error.reason : undefined, "scan_missing")
        assert.strictEqual(error._tag === "ScanRequired" ? error.skipIgnored : undefined, true)
      })
    )
  )

  it.effect("a scan token made for another explained token is refused", () =>
    withExplainedCreate((plan, explained) =>
      Effect.gen(function* () {
        const other = yield* recordsFor(plan)
        const scan = yield* scanTokenFor(other.explained.id)
        const error = yield* Effect.flip(securityScanGate(plan, explained, { securityScanToken: scan }))
        assert.strictEqual(error._tag, "TokenChainBroken")
      })
    )
  )

  it.effect("a passing scan lets the change on, with its scan token to spend", () =>
    withExplainedCreate((plan, explained, harness) =>
      Effect.gen(function* () {
        const scan = yield* scanTokenFor(explained.id)
        const decision = yield* securityScanGate(plan, explained, { securityScanToken: scan })
        assert.deepStrictEqual<ScanDecision>(decision, { ...noScan, scanTokenId: scan })
        assert.deepStrictEqual(harness.journal, [])
      })
    )
  )

  it.effect("CCAPI_APPROVAL=model: failed checks block unless the request accepts exactly those, as the model", () =>
    withExplainedCreate(
      (plan, explained, harness) =>
        Effect.gen(function* () {
          const scan = yield* scanTokenFor(explained.id, failingReport(["CKV_AWS_18", "CKV_AWS_21"]))
          const blocked = yield* Effect.flip(
            securityScanGate(plan, explained, { securityScanToken: scan, acceptFindings: ["CKV_AWS_18"] })
          )
          assert.strictEqual(blocked._tag, "ScanBlocked")
          assert.deepStrictEqual(harness.asked, [])
          const decision = yield* securityScanGate(plan, explained, {
            securityScanToken: scan,
            acceptFindings: ["CKV_AWS_21", "CKV_AWS_18"]
          })
          assert.deepStrictEqual(decision.accepted, ["CKV_AWS_18", "CKV_AWS_21"])
          assert.strictEqual(decision.acceptedBy, "model")
        }),
      { settings: { approval: "model" } }
    )
  )

  it.effect("otherwise failed checks wait for a person, whatever accept_findings the request sends", () =>
    withExplainedCreate((plan, explained, harness) =>
      Effect.gen(function* () {
        const scan = yield* scanTokenFor(explained.id, failingReport(["CKV_AWS_18"]))
        const decision = yield* securityScanGate(plan, explained, {
          securityScanToken: scan,
          acceptFindings: ["CKV_AWS_18"]
        })
        assert.deepStrictEqual(decision.accepted, [])
        assert.deepStrictEqual(decision.awaitingPerson, ["CKV_AWS_18"])
        assert.deepStrictEqual(harness.asked, [])
      })
    )
  )

  it.effect("with scanning disabled, a create needs skip_security_check=true and then carries the warning", () =>
    withExplainedCreate(
      (plan, explained) =>
        Effect.gen(function* () {
          const refused = yield* Effect.flip(securityScanGate(plan, explained, {}))
          assert.strictEqual(refused._tag, "ScanRequired")
          const decision = yield* securityScanGate(plan, explained, { skipSecurityCheck: true })
          assert.include(decision.warnings[0], "without a security scan")
        }),
      { settings: { securityScanning: "disabled" } }
    )
  )
})

describe("humanApprovalGate", () => {
  const awaiting = (ids: ReadonlyArray<string>): ScanDecision => ({ ...noScan, awaitingPerson: ids })
  const gate = (plan: Plan, scan: ScanDecision) =>
    Effect.gen(function* () {
      const { explained } = yield* recordsFor(plan)
      return yield* humanApprovalGate(plan, explained, scan)
    })

  it.effect("failed checks with no channel to a person are refused, saying what would allow them", () =>
    withWorkflow((harness) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(gate(createPlan(), awaiting(["CKV_AWS_18"])))
        assert.strictEqual(error._tag, "ApprovalUnavailable")
        assert.include(error.message, "accepting failed security checks needs a person's decision")
        assert.include(error.message, "CCAPI_APPROVAL_WEBHOOK")
        assert.include(error.message, "CCAPI_APPROVAL=model")
        assert.deepStrictEqual(harness.asked, [])
      })
    )
  )

  it.effect("failed checks go to a person through the best channel; the decision is journaled with its channel", () =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          const plan = createPlan("shown-bucket")
          const decision = yield* gate(plan, awaiting(["CKV_AWS_18"]))
          assert.deepStrictEqual(decision.accepted, ["CKV_AWS_18"])
          assert.strictEqual(decision.acceptedBy, "person")
          assert.strictEqual(harness.asked.length, 1)
          const asked = harness.asked[0]!
          assert.deepStrictEqual(asked.reasons, ["failed_checks"])
          assert.deepStrictEqual(asked.failedCheckIds, ["CKV_AWS_18"])
          assert.strictEqual(asked.planHash, plan.hash)
          assert.include(asked.summary, "shown-bucket")
          assert.deepStrictEqual(
            harness.journal.map((e) => [e.event, e.details["channel"], e.details["answer"] ?? e.details["by"]]),
            [
              ["approval", "approval_page", "approved"],
              ["findings_accepted", "approval_page", "person"]
            ]
          )
        }),
      { channels: ["approval_page"] }
    )
  )

  it.effect("a rejection spends the plan's tokens; a dismissal does not", () =>
    withExplainedCreate(
      (plan, explained, harness) =>
        Effect.gen(function* () {
          harness.answer = "cancelled"
          const dismissed = yield* Effect.flip(humanApprovalGate(plan, explained, awaiting(["CKV_AWS_18"])))
          assert.strictEqual(dismissed._tag, "ApprovalDeclined")
          yield* readToken(explained.id as ExplainedTokenId, "explained")
          harness.answer = "declined"
          const declined = yield* Effect.flip(humanApprovalGate(plan, explained, awaiting(["CKV_AWS_18"])))
          assert.strictEqual(declined._tag, "ApprovalDeclined")
          const spent = yield* Effect.flip(readToken(explained.id as ExplainedTokenId, "explained"))
          assert.strictEqual(spent._tag, "TokenSpent")
        }),
      { channels: ["webhook"] }
    )
  )

  it.effect("every delete needs a person: refused with no channel", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const refused = yield* Effect.flip(gate(deletePlan(), noScan))
        assert.strictEqual(refused._tag, "ApprovalUnavailable")
        assert.include(refused.message, "every delete needs a person's decision")
      })
    )
  )

  // Who is asked about a change without failed checks, by operator setting and channel: the reasons put to the
  // person, or none when nobody is asked.
  it.effect.each<{
    readonly name: string
    readonly plan: () => Plan
    readonly options: WorkflowOptions
    readonly asked: ReadonlyArray<string> | "nobody"
  }>([
    {
      name: "every delete is put to a person, even with CCAPI_APPROVAL=off",
      plan: deletePlan,
      options: { channels: ["approval_page"], settings: { approval: "off" } },
      asked: ["delete"]
    },
    {
      name: "a plain change is put to the user when the client has a form (auto)",
      plan: createPlan,
      options: { channels: ["elicitation_form", "approval_page"] },
      asked: []
    },
    {
      name: "a plain change is not put through a link alone (auto)",
      plan: createPlan,
      options: { channels: ["approval_page"] },
      asked: "nobody"
    },
    {
      name: "with CCAPI_APPROVAL=off, a plain change is not put to the user, even with a form",
      plan: createPlan,
      options: { channels: ["elicitation_form"], settings: { approval: "off" } },
      asked: "nobody"
    },
    {
      name: "CCAPI_APPROVAL=required puts every change to a person",
      plan: createPlan,
      options: { channels: ["approval_page"], settings: { approval: "required" } },
      asked: ["operator_requires"]
    }
  ])("$name", ({ asked, options, plan }) =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          yield* gate(plan(), noScan)
          assert.deepStrictEqual(
            harness.asked.map((request) => request.reasons),
            asked === "nobody" ? [] : [asked]
          )
        }),
      options
    )
  )

  it.effect("CCAPI_APPROVAL=model: the model's decisions stand, labelled in the result and the journal", () =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          const deleted = yield* gate(deletePlan(), noScan)
          assert.include(deleted.warnings.join(" "), "accepted by the model, not by a person")
          const created = yield* gate(createPlan(), { ...noScan, accepted: ["CKV_AWS_18"], acceptedBy: "model" })
          assert.include(created.warnings.join(" "), "accepted by the model, not by a person")
          assert.deepStrictEqual(harness.asked, [])
          assert.deepStrictEqual(
            harness.journal.map((e) => [e.event, e.details["by"], e.details["label"]]),
            [
              ["approval", "model", "accepted by the model, not by a person (CCAPI_APPROVAL=model)"],
              ["findings_accepted", "model", "accepted by the model, not by a person (CCAPI_APPROVAL=model)"]
            ]
          )
        }),
      { settings: { approval: "model" } }
    )
  )
})

describe("authorize", () => {
  it.effect("composes the gates in order: the binding is checked before the guardrails", () =>
    withWorkflow(() =>
      Effect.gen(function* () {
        const plan = createPlan("b", { verdicts: [{ rule: "r", path: "/p", reason: "x" }] })
        const { credentials, explained } = yield* tokensFor(plan)
        const request = {
          credentialsToken: credentials,
          explainedToken: explained,
          skipSecurityCheck: false,
          acceptFindings: []
        }
        const mismatch = yield* Effect.flip(authorize("create", { ...request, typeName: typeName("AWS::SQS::Queue") }))
        assert.strictEqual(mismatch._tag, "PlanMismatch")
        const guardrail = yield* Effect.flip(authorize("create", { ...request, typeName: bucket }))
        assert.strictEqual(guardrail._tag, "GuardrailViolated")
      })
    )
  )

  it.effect("spends nothing: a request that passes every gate leaves its tokens usable", () =>
    withWorkflow(
      (harness) =>
        Effect.gen(function* () {
          const plan = createPlan()
          const { credentials, explained } = yield* tokensFor(plan)
          const request = { credentialsToken: credentials, explainedToken: explained, typeName: bucket }
          const passed = yield* authorize("create", { ...request, skipSecurityCheck: true, acceptFindings: [] })
          assert.strictEqual(passed.plan.desiredState, plan.desiredState)
          yield* readToken(explained, "explained")
          assert.deepStrictEqual(harness.sent, [])
        }),
      { settings: { securityScanning: "disabled" } }
    )
  )
})
