import { z } from "zod"
import type { Finding, MutationResult, PlanView, RequestStatus, ScanReport, SecurityAnalysis } from "@ccapi/core"
import { renderNextStep } from "../Wording.js"

/*
 * Zod pieces shared by the tool schemas, and the mapping of core's results to the reference's snake_case fields.
 */

export const jsonObject = z.record(z.string(), z.unknown())

// ── Input fields, described as the reference described them ─────────────────

export const resourceTypeField = z
  .string()
  .describe('The AWS resource type (e.g., "AWS::S3::Bucket", "AWS::RDS::DBInstance")')

export const regionField = z
  .string()
  .nullish()
  .describe(
    "The AWS region that the operation should be performed in (e.g. us-east-1). Default: AWS_REGION, then the profile's region, then us-east-1"
  )

export const identifierField = z
  .string()
  .describe(
    "The primary identifier of the resource (e.g., bucket name for S3 buckets); compound identifiers are joined with '|'"
  )

export const credentialsTokenField = z
  .string()
  .describe("Credentials token from get_aws_session_info() to ensure AWS credentials are valid")

export const explainedTokenField = z
  .string()
  .describe("Explained token from explain(): the server applies exactly the plan stored under it")

export const securityScanTokenField = z
  .string()
  .nullish()
  .describe("Security scan token from run_checkov() (required when SECURITY_SCANNING=enabled)")

export const skipSecurityCheckField = z
  .boolean()
  .nullish()
  .describe("Skip security checks: only allowed, and then required, when the operator set SECURITY_SCANNING=disabled")

export const acceptFindingsField = z
  .union([z.array(z.string()), z.string()])
  .nullish()
  .describe(
    "Only when the operator set CCAPI_APPROVAL=model: the failed check ids the user explicitly accepted (exactly the ids run_checkov reported), recorded as the model's decision. Otherwise ignored: the server asks the user"
  )

export const patchDocumentField = z.union([z.array(jsonObject), z.string()]).nullish()

// ── Output pieces ────────────────────────────────────────────────────────────

export const findingShape = z.object({
  check_id: z.string(),
  check_name: z.string(),
  resource: z.string(),
  severity: z.string().nullable(),
  guideline: z.string().nullable(),
  location: z.string().optional()
})

export const scanReportShape = z.object({
  scanner: z.string(),
  scanner_version: z.string().optional(),
  passed: z.number().describe("Number of passed checks"),
  failed: z.number().describe("Number of failed checks"),
  skipped: z.number(),
  failed_checks: z.array(findingShape),
  passed_check_ids: z.array(z.string())
})

export const securityAnalysisShape = z.object({
  scan: scanReportShape.optional(),
  unavailable: z.string().optional().describe("Why no scan was made (scanner missing or failed)"),
  findings: z.array(findingShape)
})

export const planShape = z.object({
  operation: z.enum(["create", "update", "delete"]),
  account_id: z.string(),
  region: z.string(),
  resource_type: z.string(),
  identifier: z.string().optional(),
  properties: jsonObject.optional().describe("The exact desired state (create), or the state after the change"),
  patch_document: z.array(jsonObject).optional().describe("The exact RFC 6902 patch that will be sent (update)"),
  diff: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["added", "removed", "changed"]),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
      flags: z.array(z.string())
    })
  ),
  tags: z.array(z.object({ key: z.string(), value: z.string(), source: z.enum(["default", "user"]) })),
  guardrails: z
    .array(z.object({ rule: z.string(), path: z.string(), reason: z.string() }))
    .describe("Guardrail rules the plan breaks; a plan with any cannot be applied"),
  cloudformation_template: jsonObject,
  plan_hash: z.string()
})

/** Cloud Control's progress event in the reference's shape. */
export const progressEventShape = {
  status: z.string().describe("PENDING, IN_PROGRESS, SUCCESS, FAILED, CANCEL_IN_PROGRESS or CANCEL_COMPLETE"),
  resource_type: z.string(),
  is_complete: z.boolean(),
  request_token: z.string().describe("Pass to get_resource_request_status to follow the request"),
  identifier: z.string().optional(),
  resource_info: jsonObject.optional().describe("The resource's properties when the request completed"),
  error_code: z.string().optional(),
  event_time: z.string().optional(),
  retry_after: z.string().optional(),
  status_message: z.string().optional()
}

export const mutationOutput = {
  ...progressEventShape,
  operation: z.enum(["create", "update", "delete"]),
  plan_hash: z.string(),
  client_token: z
    .string()
    .optional()
    .describe(
      "The Cloud Control ClientToken the request was sent with; the same change planned again gets the same one, so a retry returns this request instead of applying it twice."
    ),
  accepted_findings: z.array(z.string()),
  security_warning: z.string().optional(),
  warnings: z.array(z.string()),
  next_step: z.string()
}

// ── Mapping ─────────────────────────────────────────────────────────────────

export const findingView = (finding: Finding) => ({
  check_id: finding.checkId,
  check_name: finding.title,
  resource: finding.resource,
  severity: finding.severity,
  guideline: finding.guideline,
  location: finding.location
})

export const scanReportView = (report: ScanReport) => ({
  scanner: report.scanner,
  scanner_version: report.scannerVersion,
  passed: report.passed,
  failed: report.failed,
  skipped: report.skipped,
  failed_checks: report.findings.map(findingView),
  passed_check_ids: [...report.passedCheckIds]
})

export const securityAnalysisView = (analysis: SecurityAnalysis) => ({
  scan: analysis.report === undefined ? undefined : scanReportView(analysis.report),
  unavailable: analysis.unavailable,
  findings: analysis.findings.map(findingView)
})

export const planViewOut = (plan: PlanView) => ({
  operation: plan.operation,
  account_id: plan.accountId,
  region: plan.region,
  resource_type: plan.typeName,
  identifier: plan.identifier,
  properties: plan.properties,
  patch_document: plan.patch?.map((op) => ({ ...op })),
  diff: plan.diff.map((entry) => ({ ...entry, flags: [...entry.flags] })),
  tags: plan.tags.map((tag) => ({ ...tag })),
  guardrails: plan.guardrails.map((verdict) => ({ ...verdict })),
  cloudformation_template: plan.template,
  plan_hash: plan.hash
})

export const requestStatusOut = (status: RequestStatus) => ({
  status: status.status,
  resource_type: status.typeName,
  is_complete: status.isComplete,
  request_token: status.requestToken,
  identifier: status.identifier,
  resource_info: status.resourceModel,
  error_code: status.errorCode,
  event_time: status.eventTime,
  retry_after: status.retryAfter,
  status_message: status.statusMessage
})

export const mutationOut = (result: MutationResult) => ({
  status: result.status,
  resource_type: result.typeName,
  is_complete: result.isComplete,
  request_token: result.requestToken,
  identifier: result.identifier,
  resource_info: result.resource,
  error_code: result.errorCode,
  event_time: result.eventTime,
  retry_after: result.retryAfter,
  status_message: result.statusMessage,
  operation: result.operation,
  plan_hash: result.planHash,
  client_token: result.clientToken,
  accepted_findings: [...result.acceptedFindings],
  security_warning: result.warnings.length > 0 ? result.warnings.join("\n") : undefined,
  warnings: [...result.warnings],
  next_step: renderNextStep(result.next)
})
