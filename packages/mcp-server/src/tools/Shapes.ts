import { Schema } from "effect"
import { z } from "zod"
import { Finding, MutationResult, PlanView, RequestStatus, ScanReport, SecurityAnalysis } from "@ccapi/core"
import { NextStepText } from "./Wire.js"

/*
 * The input fields the tools share (zod, as the SDK parses arguments), and the result pieces they share: core's
 * result Schemas with the reference's snake_case names on the wire (`Schema.encodeKeys`; see Wire.ts).
 */

export const jsonObject = z.record(z.string(), z.unknown())

// ── Input fields, described as the reference described them ─────────────────

export const resourceTypeField = z.string().describe('e.g. "AWS::S3::Bucket"')

export const regionField = z.string().nullish().describe("Default: AWS_REGION, the profile's, us-east-1")

export const identifierField = z.string().describe("Primary identifier; compound ones joined with '|'")

export const credentialsTokenField = z.string().describe("From get_aws_session_info")

export const explainedTokenField = z.string().describe("From explain")

export const securityScanTokenField = z.string().nullish().describe("From run_checkov, when scanning is enabled")

export const skipSecurityCheckField = z.boolean().nullish().describe("Required when scanning is disabled")

export const acceptFindingsField = z
  .union([z.array(z.string()), z.string()])
  .nullish()
  .describe("CCAPI_APPROVAL=model only: the check ids the user accepted")

export const patchDocumentField = z.union([z.array(jsonObject), z.string()]).nullish()

// ── Output pieces: core's Schemas, renamed for the wire ─────────────────────

export const FindingOut = Schema.Struct(Finding.fields).pipe(
  Schema.encodeKeys({ checkId: "check_id", title: "check_name" })
)

export const ScanReportOut = Schema.Struct({ ...ScanReport.fields, findings: Schema.Array(FindingOut) }).pipe(
  Schema.encodeKeys({
    scannerVersion: "scanner_version",
    findings: "failed_checks",
    passedCheckIds: "passed_check_ids"
  })
)

export const SecurityAnalysisOut = Schema.Struct({
  ...SecurityAnalysis.fields,
  report: Schema.optional(ScanReportOut),
  findings: Schema.Array(FindingOut)
}).pipe(Schema.encodeKeys({ report: "scan" }))

export const PlanOut = Schema.Struct(PlanView.fields).pipe(
  Schema.encodeKeys({
    accountId: "account_id",
    typeName: "resource_type",
    patch: "patch_document",
    template: "cloudformation_template",
    hash: "plan_hash"
  })
)

/** Cloud Control's progress event in the reference's names. */
const progressKeys = {
  typeName: "resource_type",
  requestToken: "request_token",
  isComplete: "is_complete",
  errorCode: "error_code",
  statusMessage: "status_message",
  eventTime: "event_time",
  retryAfter: "retry_after"
} as const

/** What create_resource, update_resource and delete_resource return. */
export const MutationOut = Schema.Struct({
  ...MutationResult.fields,
  /** The warnings as one text, as the reference had it. */
  securityWarning: Schema.optional(Schema.String),
  next: NextStepText
}).pipe(
  Schema.encodeKeys({
    ...progressKeys,
    resource: "resource_info",
    planHash: "plan_hash",
    clientToken: "client_token",
    acceptedFindings: "accepted_findings",
    securityWarning: "security_warning",
    next: "next_step"
  })
)

/** A mutation's result as the wire's Type: core's, with the warnings also as one text. */
export const mutationOut = (result: MutationResult): typeof MutationOut.Type => ({
  ...result,
  securityWarning: result.warnings.length > 0 ? result.warnings.join("\n") : undefined
})

export const RequestStatusOut = Schema.Struct(RequestStatus.fields).pipe(
  Schema.encodeKeys({ ...progressKeys, resourceModel: "resource_info" })
)
