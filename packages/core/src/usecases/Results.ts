import type { NextStep } from "./NextStep.js"
import type { CallerIdentity, EnvironmentInfo, Finding, ScanReport } from "../model/Cloud.js"
import type { JsonObject } from "../model/Json.js"
import type { DiffEntry, GuardrailVerdict, PlannedTag, PlanOperation } from "../model/Plan.js"
import type { PatchDocument } from "../model/Cloud.js"

/*
 * What the use-cases return. Plain data, ready to be shown; the MCP tools map them to the reference's field names.
 * No result ever contains a write-only value, and none echoes a token the caller sent.
 */

export interface EnvironmentCheck {
  readonly environmentToken: string
  readonly environment: EnvironmentInfo
  readonly readOnly: boolean
  readonly securityScanning: "enabled" | "disabled"
}

export interface SessionInfo {
  readonly credentialsToken: string
  readonly identity: CallerIdentity
  readonly readOnly: boolean
  readonly securityScanning: "enabled" | "disabled"
}

/** The plan as shown to the model (write-only values masked). */
export interface PlanView {
  readonly operation: PlanOperation
  readonly accountId: string
  readonly region: string
  readonly typeName: string
  readonly identifier: string | undefined
  readonly properties: JsonObject | undefined
  readonly patch: PatchDocument | undefined
  readonly diff: ReadonlyArray<DiffEntry>
  readonly tags: ReadonlyArray<PlannedTag>
  readonly guardrails: ReadonlyArray<GuardrailVerdict>
  readonly template: JsonObject
  readonly hash: string
}

export interface GeneratedCode {
  readonly generatedCodeToken: string
  readonly plan: PlanView
  readonly next: NextStep
}

export interface Explanation {
  /** Absent when the content was not a plan (a general explanation), or when a guardrail blocks the plan. */
  readonly explainedToken: string | undefined
  readonly explanation: string
  readonly plan: PlanView | undefined
  readonly next: NextStep
}

export interface ScanOutcome {
  readonly securityScanToken: string
  readonly report: ScanReport
  readonly passed: boolean
  readonly failedCheckIds: ReadonlyArray<string>
  readonly next: NextStep
}

/** The reference's progress-event shape, plus what we know at the end. */
export interface MutationResult {
  readonly operation: PlanOperation
  readonly typeName: string
  readonly identifier: string | undefined
  readonly requestToken: string
  readonly status: string
  readonly isComplete: boolean
  readonly errorCode: string | undefined
  readonly statusMessage: string | undefined
  /** ISO-8601. */
  readonly eventTime: string | undefined
  /** ISO-8601. */
  readonly retryAfter: string | undefined
  /** The resource as it is after a completed create or update (write-only values masked). */
  readonly resource: JsonObject | undefined
  readonly planHash: string
  readonly acceptedFindings: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
  readonly next: NextStep
}

export interface ResourceView {
  readonly typeName: string
  readonly identifier: string
  readonly properties: JsonObject
  readonly security: SecurityAnalysis | undefined
}

export interface SecurityAnalysis {
  readonly report: ScanReport | undefined
  /** Why there is no report (scanner missing, crashed), when there is none. */
  readonly unavailable: string | undefined
  readonly findings: ReadonlyArray<Finding>
}

export interface ResourceList {
  readonly typeName: string
  readonly region: string
  readonly resources: ReadonlyArray<{ readonly identifier: string; readonly properties: JsonObject }>
  readonly nextToken: string | undefined
  readonly security: ReadonlyArray<{ readonly identifier: string; readonly analysis: SecurityAnalysis }> | undefined
}

export interface SchemaInformation {
  readonly typeName: string
  readonly description: string | undefined
  readonly primaryIdentifier: ReadonlyArray<string>
  readonly required: ReadonlyArray<string>
  readonly readOnlyProperties: ReadonlyArray<string>
  readonly createOnlyProperties: ReadonlyArray<string>
  readonly writeOnlyProperties: ReadonlyArray<string>
  readonly taggable: boolean
  readonly tagProperty: string | undefined
  readonly properties: JsonObject
  readonly definitions: JsonObject
}

export interface RequestStatus {
  readonly requestToken: string
  readonly operation: string
  readonly typeName: string
  readonly identifier: string | undefined
  readonly status: string
  readonly isComplete: boolean
  readonly errorCode: string | undefined
  readonly statusMessage: string | undefined
  readonly eventTime: string | undefined
  readonly retryAfter: string | undefined
  readonly resourceModel: JsonObject | undefined
}

export interface TemplateResult {
  readonly templateId: string | undefined
  readonly templateName: string
  readonly status: string
  readonly statusReason: string | undefined
  readonly format: "JSON" | "YAML"
  /** Absent while the generator is still working (poll again with `templateId`). */
  readonly body: string | undefined
  readonly resources: ReadonlyArray<{ readonly logicalId: string; readonly typeName: string }>
  /** `iac-generator` (CloudFormation made it) or `reads` (built from GetResource, in read-only mode). */
  readonly source: "iac-generator" | "reads"
  readonly next: NextStep
}
