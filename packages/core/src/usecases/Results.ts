import { Schema } from "effect"
import {
  CallerIdentity,
  EnvironmentInfo,
  Finding,
  PatchDocument,
  ScanReport,
  TemplateOutputFormat
} from "../model/Cloud.js"
import {
  CredentialsTokenId,
  EnvironmentTokenId,
  ExplainedTokenId,
  GeneratedCodeTokenId,
  SecurityScanTokenId
} from "../model/Ids.js"
import { JsonObject } from "../model/Json.js"
import { DiffEntry, GuardrailVerdict, PlannedTag, PlanOperation } from "../model/Plan.js"
import { NextStep } from "./NextStep.js"

/*
 * What the use-cases return, as Schemas: plain data, ready to be shown; the MCP tools map them to the reference's
 * field names (`mcp-server/src/tools/Wire.ts` derives the wire Schemas from these). No result ever contains a write-only value, and none echoes a token the caller sent.
 */

/** How the server is set up, as the first two steps report it. */
const serverModeFields = {
  readOnly: Schema.Boolean,
  securityScanning: Schema.Literals(["enabled", "disabled"])
}

export const EnvironmentCheck = Schema.Struct({
  environmentToken: EnvironmentTokenId,
  environment: EnvironmentInfo,
  ...serverModeFields
})
export type EnvironmentCheck = typeof EnvironmentCheck.Type

export const SessionInfo = Schema.Struct({
  credentialsToken: CredentialsTokenId,
  identity: CallerIdentity,
  ...serverModeFields
})
export type SessionInfo = typeof SessionInfo.Type

/** The plan as shown to the model (write-only values masked). */
export const PlanView = Schema.Struct({
  operation: PlanOperation,
  accountId: Schema.String,
  region: Schema.String,
  typeName: Schema.String,
  identifier: Schema.optional(Schema.String),
  /** Before the properties: a value both hold is given in full here, the patch the model may send back. */
  patch: Schema.optional(PatchDocument),
  properties: Schema.optional(JsonObject),
  diff: Schema.Array(DiffEntry),
  tags: Schema.Array(PlannedTag),
  guardrails: Schema.Array(GuardrailVerdict),
  template: JsonObject,
  hash: Schema.String
})
export type PlanView = typeof PlanView.Type

export const GeneratedCode = Schema.Struct({
  generatedCodeToken: GeneratedCodeTokenId,
  plan: PlanView,
  next: NextStep
})
export type GeneratedCode = typeof GeneratedCode.Type

export const Explanation = Schema.Struct({
  /** Absent when the content was not a plan (a general explanation), or when a guardrail blocks the plan. */
  explainedToken: Schema.optional(ExplainedTokenId),
  explanation: Schema.String,
  plan: Schema.optional(PlanView),
  next: NextStep
})
export type Explanation = typeof Explanation.Type

export const ScanOutcome = Schema.Struct({
  securityScanToken: SecurityScanTokenId,
  report: ScanReport,
  passed: Schema.Boolean,
  failedCheckIds: Schema.Array(Schema.String),
  next: NextStep
})
export type ScanOutcome = typeof ScanOutcome.Type

/** A Cloud Control request as its progress event tells it (a mutation's answer, a status poll). */
const progressFields = {
  typeName: Schema.String,
  identifier: Schema.optional(Schema.String),
  requestToken: Schema.String,
  status: Schema.String,
  isComplete: Schema.Boolean,
  errorCode: Schema.optional(Schema.String),
  statusMessage: Schema.optional(Schema.String),
  /** ISO-8601. */
  eventTime: Schema.optional(Schema.String),
  /** ISO-8601. */
  retryAfter: Schema.optional(Schema.String)
}

/** The reference's progress-event shape, plus what we know at the end. */
export const MutationResult = Schema.Struct({
  ...progressFields,
  operation: PlanOperation,
  /** The Cloud Control ClientToken the request was sent with (derived from the change; see `clientTokenFor`). */
  clientToken: Schema.optional(Schema.String),
  /** The resource as it is after a completed create or update (write-only values masked). */
  resource: Schema.optional(JsonObject),
  planHash: Schema.String,
  acceptedFindings: Schema.Array(Schema.String),
  warnings: Schema.Array(Schema.String),
  next: NextStep
})
export type MutationResult = typeof MutationResult.Type

export const SecurityAnalysis = Schema.Struct({
  report: Schema.optional(ScanReport),
  /** Why there is no report (scanner missing, crashed), when there is none. */
  unavailable: Schema.optional(Schema.String),
  findings: Schema.Array(Finding)
})
export type SecurityAnalysis = typeof SecurityAnalysis.Type

export const ResourceView = Schema.Struct({
  typeName: Schema.String,
  identifier: Schema.String,
  properties: JsonObject,
  security: Schema.optional(SecurityAnalysis)
})
export type ResourceView = typeof ResourceView.Type

export const ResourceList = Schema.Struct({
  typeName: Schema.String,
  region: Schema.String,
  resources: Schema.Array(Schema.Struct({ identifier: Schema.String, properties: JsonObject })),
  nextToken: Schema.optional(Schema.String),
  security: Schema.optional(Schema.Array(Schema.Struct({ identifier: Schema.String, analysis: SecurityAnalysis })))
})
export type ResourceList = typeof ResourceList.Type

export const SchemaInformation = Schema.Struct({
  typeName: Schema.String,
  description: Schema.optional(Schema.String),
  primaryIdentifier: Schema.Array(Schema.String),
  required: Schema.Array(Schema.String),
  readOnlyProperties: Schema.Array(Schema.String),
  createOnlyProperties: Schema.Array(Schema.String),
  writeOnlyProperties: Schema.Array(Schema.String),
  taggable: Schema.Boolean,
  tagProperty: Schema.optional(Schema.String),
  properties: JsonObject,
  definitions: JsonObject
})
export type SchemaInformation = typeof SchemaInformation.Type

export const RequestStatus = Schema.Struct({
  ...progressFields,
  operation: Schema.String,
  resourceModel: Schema.optional(JsonObject)
})
export type RequestStatus = typeof RequestStatus.Type

/** A resource of a generated template. */
export const TemplateResourceView = Schema.Struct({ logicalId: Schema.String, typeName: Schema.String })

export const TemplateResult = Schema.Struct({
  templateId: Schema.optional(Schema.String),
  templateName: Schema.String,
  status: Schema.String,
  statusReason: Schema.optional(Schema.String),
  /** The format `body` is in: the one asked for, or YAML when a conversion failed (see `conversionError`). */
  format: TemplateOutputFormat,
  /** Absent while the generator is still working (poll again with `templateId`). */
  body: Schema.optional(Schema.String),
  /** Why the template could not be written in the asked format; `body` is then the CloudFormation template (YAML). */
  conversionError: Schema.optional(Schema.String),
  /** What the reader of a converted template should know (resources without an import block, …). */
  warnings: Schema.Array(Schema.String),
  resources: Schema.Array(TemplateResourceView),
  /** `iac-generator` (CloudFormation made it) or `reads` (built from GetResource, in read-only mode). */
  source: Schema.Literals(["iac-generator", "reads"]),
  next: NextStep
})
export type TemplateResult = typeof TemplateResult.Type
