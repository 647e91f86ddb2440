import { Clock, Effect } from "effect"
import { renderContent, renderExplanation } from "../render/Explanation.js"
import { InvalidInput, PropertiesInvalid, ReadOnlyMode, TokenSpent, type Violation } from "../model/Errors.js"
import type { PatchDocument } from "../model/Cloud.js"
import { evaluateGuardrails } from "../policy/Guardrails.js"
import type { JsonObject } from "../model/Json.js"
import type { Identifier, Region, TypeName } from "../model/Ids.js"
import { type CreatePlan, identifierOf, type Plan, type UpdatePlan } from "../model/Plan.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"
import { planCreate, planDelete, planUpdate, type PlanContext } from "../workflow/Plans.js"
import { CloudControl } from "../ports/CloudControl.js"
import { Identity } from "../ports/Identity.js"
import { Journal, JournalEntry } from "../ports/Journal.js"
import { PropertyValidator } from "../ports/PropertyValidator.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { SecurityScanner } from "../ports/SecurityScanner.js"
import { issueToken, randomBytes, readToken, spendToken } from "../workflow/WorkflowTokens.js"
import type { ExplainCommand, GenerateCodeCommand, RunScanCommand } from "./Commands.js"
import {
  ApplyNext,
  ApplyUnscanned,
  ConfirmDelete,
  DescriptionOnly,
  ExplainNext,
  FixGuardrails,
  ReviewFindings,
  ScanNext
} from "./NextStep.js"
import { resolveRegion } from "./Region.js"
import type { Explanation, GeneratedCode, ScanOutcome } from "./Results.js"
import { requireApprovalChannel } from "../workflow/Approval.js"
import { WorkflowSettings } from "../workflow/Settings.js"
import { planView } from "./Views.js"

/** Append a journal line stamped with the current time. */
export const journal = Effect.fn("Workflow.journal")(function* (
  event: JournalEntry["event"],
  details: JsonObject,
  planHash?: string
) {
  const now = yield* Clock.currentTimeMillis
  yield* (yield* Journal).append(
    new JournalEntry({ at: new Date(now).toISOString(), event, details, ...(planHash ? { planHash } : {}) })
  )
})

/** A fresh workflow id (128 bits, hex), shared by every token of one plan's chain. */
const newChainId = Effect.map(randomBytes(16), (bytes) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
)

const planContext = Effect.fn("Workflow.planContext")(function* (
  schema: ResourceSchema,
  accountId: string,
  region: PlanContext["region"],
  guardrailsApply: boolean
) {
  const settings = yield* WorkflowSettings
  const now = yield* Clock.currentTimeMillis
  return {
    schema,
    accountId,
    region,
    now,
    defaultTags: settings.defaultTags,
    guardrails: guardrailsApply
      ? (subject) => evaluateGuardrails(subject, settings.disabledGuardrails, schema)
      : () => []
  } satisfies PlanContext
})

const invalid = (typeName: string, violations: ReadonlyArray<Violation>, what: string) =>
  new PropertiesInvalid({
    typeName,
    violations,
    message:
      `${what} do not match the schema of ${typeName}: ` +
      violations
        .slice(0, 10)
        .map((v) => `${v.path} ${v.message}`)
        .join("; ") +
      (violations.length > 10 ? `; and ${violations.length - 10} more` : "") +
      ". Fix them (the type's schema says what is allowed) and generate the code again."
  })

/** Only the violations at or below a path the change touches: the rest of a live resource is not the model's doing. */
const touchedBy = (violations: ReadonlyArray<Violation>, plan: Plan): ReadonlyArray<Violation> => {
  const paths = plan.diff.map((d) => d.path)
  return violations.filter(
    (v) =>
      v.path === "" ||
      v.path === "/" ||
      paths.some((p) => v.path === p || v.path.startsWith(`${p}/`) || p.startsWith(`${v.path}/`))
  )
}

/** Plan an update of a live resource from new properties or a patch, validated where the change touches it. */
const planUpdateOf = Effect.fn("Workflow.planUpdateOf")(function* (
  ctx: PlanContext,
  input: {
    readonly typeName: TypeName
    readonly region: Region
    readonly identifier: Identifier
    readonly properties?: JsonObject | undefined
    readonly patchDocument?: PatchDocument | undefined
  }
) {
  const identifier = input.identifier
  const hasProperties = input.properties !== undefined
  const hasPatch = input.patchDocument !== undefined
  if (hasProperties === hasPatch)
    return yield* new InvalidInput({
      message:
        "To plan an update, give the identifier and exactly one of properties (the values to set) or a patch (an RFC 6902 patch document)."
    })
  const properties = input.properties
  const current = yield* (yield* CloudControl).get({ typeName: input.typeName, identifier, region: input.region })
  const plan = yield* Effect.fromResult(
    planUpdate(ctx, {
      identifier,
      currentState: current.properties,
      properties,
      patchDocument: input.patchDocument
    })
  )
  const violations = touchedBy(
    yield* (yield* PropertyValidator).validate(ctx.schema, plan.previewState, "preview"),
    plan
  )
  if (violations.length > 0) return yield* invalid(input.typeName, violations, "The updated properties")
  return plan
})

/** Plan a create from the desired properties, validated against the schema. */
const planCreateOf = Effect.fn("Workflow.planCreateOf")(function* (
  ctx: PlanContext,
  input: {
    readonly typeName: TypeName
    readonly properties?: JsonObject | undefined
    readonly patchDocument?: PatchDocument | undefined
  }
) {
  if (input.patchDocument !== undefined)
    return yield* new InvalidInput({
      message: "A patch needs the identifier of the resource to update. To create a resource, send properties."
    })
  const properties = input.properties
  if (properties === undefined)
    return yield* new InvalidInput({
      message: `properties is required to plan a new ${input.typeName}; to update an existing one, also give its identifier.`
    })
  const plan = yield* Effect.fromResult(planCreate(ctx, properties))
  const violations = yield* (yield* PropertyValidator).validate(ctx.schema, plan.desiredState, "create")
  if (violations.length > 0) return yield* invalid(input.typeName, violations, "The properties")
  return plan
})

/** Step 3: the server builds the exact change (desired state with default tags, or the patch) and validates it. */
export const generateCode = Effect.fn("Workflow.generateCode")(function* (command: GenerateCodeCommand) {
  const settings = yield* WorkflowSettings
  if (settings.readOnly)
    return yield* new ReadOnlyMode({
      refused: "plan",
      message: "The server runs read-only: no change can be planned or applied. Use the read tools."
    })
  yield* requireApprovalChannel()
  const credentials = yield* readToken(command.credentialsToken, "credentials")
  const typeName = command.typeName
  const region = yield* resolveRegion(command.region)
  const schema = yield* (yield* ResourceSchemas).describe(typeName, region)
  const accountId = credentials.accountId
  const ctx = yield* planContext(schema, accountId, region, true)

  const plan: CreatePlan | UpdatePlan =
    command.identifier !== undefined
      ? yield* planUpdateOf(ctx, { ...command, region, identifier: command.identifier })
      : yield* planCreateOf(ctx, command)

  // Recorded before the token exists: a plan the journal cannot record gets no token.
  yield* journal(
    "plan",
    {
      operation: plan.operation,
      typeName,
      region,
      accountId,
      identifier: identifierOf(plan) ?? null,
      guardrails: plan.guardrails.length
    },
    plan.hash
  )
  const chainId = yield* newChainId
  const generatedCodeToken = yield* issueToken(
    "generated_code",
    { chainId, parent: credentials.id, origin: credentials.id, accountId, region, plan },
    settings.tokenTtl.workflow
  )
  return {
    generatedCodeToken,
    plan: planView(plan),
    next:
      plan.guardrails.length > 0
        ? FixGuardrails.make({
            verdicts: plan.guardrails.length,
            rules: [...new Set(plan.guardrails.map((g) => g.rule))],
            inExplanation: false
          })
        : ExplainNext.make({})
  } satisfies GeneratedCode
})

/** Step 4: render the plan in full; mints the explained token that a mutation needs. Deletes are explained from the live resource. */
export const explain = Effect.fn("Workflow.explain")(function* (command: ExplainCommand) {
  const settings = yield* WorkflowSettings

  if (command._tag === "ExplainPlan") {
    // One explained token per plan: explaining spends the generated token atomically, so a plan cannot be explained
    // twice into two tokens that could each be applied. The journal records first: a plan whose explanation cannot be
    // recorded keeps its generated token, to be explained again once the journal works.
    const alreadyExplained = <A, E, R>(self: Effect.Effect<A, E, R>) =>
      Effect.mapError(self, (error) =>
        error instanceof TokenSpent
          ? new TokenSpent({
              kind: "generated_code",
              spentBy: "explanation",
              message:
                "This plan was already explained: each plan gets one explained token. Use the explained token its explanation returned, or plan again."
            })
          : error
      )
    const generated = yield* readToken(command.generatedCodeToken, "generated_code").pipe(alreadyExplained)
    const plan = generated.plan
    const explanation = renderExplanation(plan)
    const spendGenerated = spendToken(command.generatedCodeToken, "generated_code").pipe(alreadyExplained)
    if (plan.guardrails.length > 0) {
      yield* journal("refused", { reason: "guardrail", rules: plan.guardrails.map((g) => g.rule) }, plan.hash)
      yield* spendGenerated
      return {
        explainedToken: undefined,
        explanation,
        plan: planView(plan),
        next: FixGuardrails.make({
          verdicts: plan.guardrails.length,
          rules: [...new Set(plan.guardrails.map((g) => g.rule))],
          inExplanation: true
        })
      } satisfies Explanation
    }
    yield* journal("explained", { operation: plan.operation, typeName: plan.typeName }, plan.hash)
    yield* spendGenerated
    const explainedToken = yield* issueToken(
      "explained",
      {
        chainId: generated.chainId,
        parent: generated.id,
        origin: generated.origin,
        accountId: generated.accountId,
        region: generated.region,
        plan
      },
      settings.tokenTtl.workflow
    )
    return {
      explainedToken,
      explanation,
      plan: planView(plan),
      next:
        settings.securityScanning === "enabled" ? ScanNext.make({}) : ApplyUnscanned.make({ operation: plan.operation })
    } satisfies Explanation
  }

  if (command._tag === "ExplainDelete") {
    if (settings.readOnly)
      return yield* new ReadOnlyMode({
        refused: "explain_delete",
        message: "The server runs read-only: nothing can be deleted."
      })
    yield* requireApprovalChannel("delete")
    const { typeName, identifier } = command
    const region = yield* resolveRegion(command.region)
    const identity = yield* (yield* Identity).whoAmI(region)
    const schema = yield* (yield* ResourceSchemas).describe(typeName, region)
    const current = yield* (yield* CloudControl).get({ typeName, identifier, region })
    const ctx = yield* planContext(schema, identity.accountId, region, false)
    const plan = planDelete(ctx, { identifier: current.identifier, currentState: current.properties })
    yield* journal(
      "explained",
      { operation: "delete", typeName, identifier, region, accountId: identity.accountId },
      plan.hash
    )
    const explainedToken = yield* issueToken(
      "explained",
      { chainId: yield* newChainId, accountId: identity.accountId, region, plan },
      settings.tokenTtl.workflow
    )
    return {
      explainedToken,
      explanation: renderExplanation(plan),
      plan: planView(plan),
      next: ConfirmDelete.make({})
    } satisfies Explanation
  }

  return {
    explainedToken: undefined,
    explanation: renderContent(command.content),
    plan: undefined,
    next: DescriptionOnly.make({})
  } satisfies Explanation
})

/** Step 5: scan the plan's template with the security scanner; mints the scan token bound to the explained token. */
export const runScan = Effect.fn("Workflow.runScan")(function* (command: RunScanCommand) {
  const settings = yield* WorkflowSettings
  const explained = yield* readToken(command.explainedToken, "explained")
  const plan = explained.plan
  const report = yield* (yield* SecurityScanner).scan(plan.template)
  const failed = report.failedCheckIds
  yield* journal(
    "scan",
    { scanner: report.scanner, passed: report.passed, failed: report.failed, failedCheckIds: [...failed] },
    plan.hash
  )
  const securityScanToken = yield* issueToken(
    "security_scan",
    {
      chainId: explained.chainId,
      parent: explained.id,
      ...(explained.origin !== undefined ? { origin: explained.origin } : {}),
      accountId: explained.accountId,
      region: explained.region,
      scan: report
    },
    settings.tokenTtl.workflow
  )
  return {
    securityScanToken,
    report,
    passed: failed.length === 0,
    failedCheckIds: failed,
    next:
      failed.length === 0
        ? ApplyNext.make({ operation: plan.operation })
        : ReviewFindings.make({ operation: plan.operation, failedCheckIds: failed })
  } satisfies ScanOutcome
})
