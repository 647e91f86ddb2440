import { Schema } from "effect"
import { CodeFormat, TemplateOutputFormat } from "../model/Cloud.js"
import { PlanOperation } from "../model/Plan.js"

/*
 * What the workflow expects next, as a step of the workflow rather than a sentence: the edge words it for its users
 * (the MCP server names the tool to call and the parameters to pass).
 */

/** A plan was made: explain it. */
export const ExplainNext = Schema.TaggedStruct("Explain", {})
/** The plan breaks guardrail rules and cannot be applied: change it and plan again. */
export const FixGuardrails = Schema.TaggedStruct("FixGuardrails", {
  /** How many verdicts, and the rules they came from (each once). */
  verdicts: Schema.Number,
  rules: Schema.Array(Schema.String),
  /** Whether the model already has the rules in the explanation it was given. */
  inExplanation: Schema.Boolean
})
/** The plan was explained: show it, then scan it. */
export const ScanNext = Schema.TaggedStruct("Scan", {})
/** The plan was explained and the operator disabled scanning: show it, then apply it unscanned. */
export const ApplyUnscanned = Schema.TaggedStruct("ApplyUnscanned", { operation: PlanOperation })
/** A delete was explained: show it, ask the user to confirm, then delete. */
export const ConfirmDelete = Schema.TaggedStruct("ConfirmDelete", {})
/** Content was described; nothing is authorized. */
export const DescriptionOnly = Schema.TaggedStruct("DescriptionOnly", {})
/** The scan passed: apply the plan. */
export const ApplyNext = Schema.TaggedStruct("Apply", { operation: PlanOperation })
/** The scan failed these checks: fix the plan, or apply it only if the user accepts exactly these. */
export const ReviewFindings = Schema.TaggedStruct("ReviewFindings", {
  operation: PlanOperation,
  failedCheckIds: Schema.Array(Schema.String)
})
/** The mutation completed. */
export const Done = Schema.TaggedStruct("Done", {})
/** The mutation failed in Cloud Control: fix the cause, start a new workflow. */
export const RequestFailed = Schema.TaggedStruct("RequestFailed", {
  errorCode: Schema.optional(Schema.String),
  statusMessage: Schema.optional(Schema.String)
})
/** The mutation is still in progress: follow its request. */
export const FollowRequest = Schema.TaggedStruct("FollowRequest", { requestToken: Schema.String })
/** The template is ready; `fromReads` when it was built from reads of the live resources (read-only). */
export const TemplateReady = Schema.TaggedStruct("TemplateReady", {
  fromReads: Schema.Boolean,
  /** The code format the template was written in, when it was converted. */
  converted: Schema.optional(CodeFormat),
  /** The code format asked for, when the conversion failed and the CloudFormation template is returned instead. */
  notConverted: Schema.optional(CodeFormat)
})
/** The template generator is still working: ask again for this template later. */
export const TemplatePending = Schema.TaggedStruct("TemplatePending", {
  templateId: Schema.String,
  /** The format asked for, when it is not the default (YAML): fetching the template later should ask for it again. */
  format: Schema.optional(TemplateOutputFormat)
})

/** What the workflow expects next. */
export const NextStep = Schema.Union([
  ExplainNext,
  FixGuardrails,
  ScanNext,
  ApplyUnscanned,
  ConfirmDelete,
  DescriptionOnly,
  ApplyNext,
  ReviewFindings,
  Done,
  RequestFailed,
  FollowRequest,
  TemplateReady,
  TemplatePending
])
export type NextStep = typeof NextStep.Type
