import {
  DeleteNotConfirmed,
  type NextStep,
  PlanMismatch,
  type PlanOperation,
  PropertiesInvalid,
  ReadOnlyMode,
  ScanBlocked,
  ScanRequired,
  TokenChainBroken,
  TokenExpired,
  TokenInvalid,
  type TokenKind,
  TokenSpent,
  OutcomeUnknown
} from "@ccapi/core"

/*
 * Core's failures and next steps in the words of the MCP interface: core says which kind of token, which step; the
 * model reads the parameter it passed and the tool to call.
 */

/** The tool that issues each kind of token, named in messages so the model knows what to call. */
export const tokenProducer: Record<TokenKind, string> = {
  environment: "check_environment_variables",
  credentials: "get_aws_session_info",
  generated_code: "generate_infrastructure_code",
  explained: "explain",
  security_scan: "run_checkov"
}

/** The tool that applies a plan of each operation. */
const mutationTool = (operation: PlanOperation) => `${operation}_resource`

/** The parameter a token of each kind is passed in. */
export const tokenParameter = (kind: TokenKind): string => `${kind}_token`

const restartHint = (kind: TokenKind): string =>
  kind === "environment" || kind === "credentials"
    ? `Call ${tokenProducer[kind]} again to get a new one.`
    : "Start the change again: generate_infrastructure_code, then explain (and run_checkov when scanning is enabled); for a delete, explain the resource again."

const minutes = (millis: number) => {
  const n = Math.max(1, Math.round(millis / 60_000))
  return `${n} minute${n === 1 ? "" : "s"}`
}

const invalidDetail = (error: TokenInvalid): string => {
  switch (error.reason) {
    case "malformed":
      return "is not a token this server issued."
    case "wrong_kind":
      return `must be the ${error.kind} token from ${tokenProducer[error.kind]}, but a ${error.given} token (from ${
        error.given === undefined ? "another tool" : tokenProducer[error.given]
      }) was passed.`
    case "unknown":
      return "is not a token this server knows: it was never issued, or it was forgotten (the server restarted, or it expired long ago)."
  }
}

const chainMessage = (error: TokenChainBroken): string => {
  switch (error.reason) {
    case "other_workflow": {
      const parent = tokenParameter(error.parent)
      const hint = restartHint(error.child)
        .replace(/^Start/, "start")
        .replace(/^Call/, "call")
      return `The ${error.child} token and ${parent} come from different workflows: the ${error.child} token was not issued from this ${parent}. Pass the tokens of one workflow, or ${hint}`
    }
    case "other_account":
      return "The explained_token was made for another account than this credentials_token. Explain the delete again with the current credentials."
    case "other_credentials":
      return "The explained_token does not come from a plan made with this credentials_token. Use the tokens of one workflow: generate_infrastructure_code → explain → run_checkov."
    case "other_explanation":
      return "The security_scan_token was made for another explained_token. Run run_checkov with this workflow's explained_token."
  }
}

/** The parameter each field of a plan is sent in (the account is no parameter: it comes with the credentials). */
const mismatchParameter: Record<PlanMismatch["field"], string> = {
  operation: "operation",
  typeName: "resource_type",
  identifier: "identifier",
  region: "region",
  account: "account",
  patch: "patch_document",
  resource: "explained_token"
}

const mismatchMessage = (error: PlanMismatch): string => {
  const planned = error.planned ?? ""
  const requested = error.requested ?? ""
  const detail = (() => {
    switch (error.field) {
      case "operation":
        return `This explained_token is for a ${planned}; call ${planned}_resource with it, not ${requested}_resource.`
      case "typeName":
        return `resource_type ${requested} differs from the plan's ${planned}.`
      case "identifier":
        return `identifier "${requested}" differs from the identifier in the plan ("${planned}").`
      case "region":
        return `region ${requested} differs from the plan's region ${planned}.`
      case "account":
        return error.atApply === true
          ? `The credentials now resolve to account ${requested}, but the plan was made and shown for account ${planned}. Nothing was sent. Check AWS_PROFILE and the credentials, then start again with get_aws_session_info.`
          : `The credentials are for account ${requested}, the plan for ${planned}.`
      case "patch":
        return "patch_document differs from the patch that was explained. Omit patch_document: the server applies the explained patch."
      case "resource":
        return undefined
    }
  })()
  // The live resource changed since it was explained: core's message says what changed and what to do.
  if (detail === undefined) return error.message
  if (error.atApply === true) return detail
  return `${detail} The request must match the plan that was explained${error.field === "operation" ? "" : " and scanned"}; nothing was changed. To change something else, start again with generate_infrastructure_code.`
}

const scanRequiredMessage = (error: ScanRequired): string => {
  switch (error.reason) {
    case "scanning_disabled":
      return "The operator disabled security scanning (SECURITY_SCANNING=disabled), so this change would be applied without a scan. Call again with skip_security_check=true to acknowledge that."
    case "scanner_failed":
      return `The security scan could not run, so the change is blocked: ${error.detail ?? "the scanner gave no reason."} Fix the scanner and call run_checkov with the explained_token again; only the operator can disable scanning (SECURITY_SCANNING=disabled).`
    case "scan_missing":
      return `Security scanning is enabled and no scan was supplied. Call run_checkov with the explained_token, then pass the security_scan_token it returns.${error.skipIgnored === true ? " skip_security_check=true has no effect while the operator keeps scanning enabled." : ""}`
  }
}

const scanBlockedMessage = (error: ScanBlocked): string => {
  const ids = error.failedCheckIds.join(", ")
  const problems = [
    error.notAccepted.length > 0 ? `not accepted: ${error.notAccepted.join(", ")}` : undefined,
    error.notFound.length > 0 ? `accepted but not among the findings: ${error.notFound.join(", ")}` : undefined
  ].filter((p) => p !== undefined)
  const n = error.failedCheckIds.length
  return `The security scan failed ${n} check${n === 1 ? "" : "s"} (${ids}), so the change is blocked (${problems.join("; ")}). Fix the findings and start again from generate_infrastructure_code, or, if the user accepts these risks, pass accept_findings with exactly these ids: ${ids} (the operator set CCAPI_APPROVAL=model, so that is recorded as the model's decision, not a person's).`
}

const readOnlyMessage = (error: ReadOnlyMode): string => {
  switch (error.refused) {
    case "create":
    case "update":
    case "delete":
      return `The server runs read-only (--readonly): ${mutationTool(error.refused)} is not available. Ask the operator to restart it without --readonly to make changes.`
    case "plan":
      return "The server runs read-only (--readonly): no change can be planned or applied. Use the read tools (get_resource, list_resources)."
    default:
      return error.message
  }
}

/** A failure as the model reads it: its tag, its message, and the details shown beside it. */
export interface RenderedFailure {
  readonly tag: string
  readonly message: string
  readonly details: Record<string, unknown>
}

/** Core's failure in MCP terms; a failure that names no token is shown as core worded it. */
export const renderFailure = (error: { readonly _tag: string; readonly message: string }): RenderedFailure => {
  if (error instanceof OutcomeUnknown)
    return {
      tag: error._tag,
      message: `${error.message} In tools: ${
        error.operation === "create"
          ? "generate_infrastructure_code with the same properties, explain, run_checkov, create_resource (the ClientToken comes out the same); or list_resources"
          : `get_resource to read it; to retry, plan and explain the same ${error.operation} again and call ${error.operation}_resource`
      }.`,
      details: { client_token: error.clientToken }
    }
  if (error instanceof TokenInvalid) {
    const parameter = tokenParameter(error.kind)
    return {
      tag: error._tag,
      message: `${parameter} ${invalidDetail(error)} Pass the token that ${tokenProducer[error.kind]} returned in this session.`,
      details: { parameter }
    }
  }
  if (error instanceof TokenExpired) {
    const parameter = tokenParameter(error.kind)
    return {
      tag: error._tag,
      message: `${parameter} expired ${minutes(error.expiredFor)} ago (it was valid for ${minutes(error.validFor)}). ${restartHint(error.kind)}`,
      details: { parameter }
    }
  }
  if (error instanceof TokenSpent) {
    const parameter = tokenParameter(error.kind)
    return {
      tag: error._tag,
      message:
        error.spentBy === "explanation"
          ? "This plan was already explained: each plan gets one explained_token. Use the explained_token that explain returned, or plan again with generate_infrastructure_code."
          : `${parameter} was already used by a submitted change; each token works once. ${restartHint(error.kind)}`,
      details: { parameter }
    }
  }
  if (error instanceof ScanRequired) return withMessage(error, scanRequiredMessage(error))
  if (error instanceof ScanBlocked) return withMessage(error, scanBlockedMessage(error))
  if (error instanceof ReadOnlyMode) return withMessage(error, readOnlyMessage(error))
  if (error instanceof DeleteNotConfirmed)
    return withMessage(
      error,
      "Deleting needs confirmed=true, set only after the user has seen the delete explanation and agreed."
    )
  if (error instanceof PropertiesInvalid)
    return withMessage(
      error,
      `${error.message} get_resource_schema_information shows the schema of ${error.typeName}; generate_infrastructure_code makes the new plan.`
    )
  if (error instanceof TokenChainBroken) return { tag: error._tag, message: chainMessage(error), details: {} }
  if (error instanceof PlanMismatch)
    return { tag: error._tag, message: mismatchMessage(error), details: { field: mismatchParameter[error.field] } }
  return withMessage(error, error.message)
}

/** A failure shown with its own fields as details, in the words given. */
const withMessage = (error: { readonly _tag: string; readonly message: string }, wording: string): RenderedFailure => {
  const {
    _tag,
    message: _message,
    ...details
  } = error as { readonly _tag: string; readonly message: string } & Record<string, unknown>
  return { tag: _tag, message: wording, details }
}

/** What the workflow expects next, as the tool result's `next_step` tells the model. */
export const renderNextStep = (next: NextStep): string => {
  switch (next._tag) {
    case "Explain":
      return "Call explain with this generated_code_token and show the explanation to the user."
    case "FixGuardrails":
      return next.inExplanation
        ? "This plan breaks guardrail rules (listed in the explanation) and cannot be applied. Change the properties and generate again."
        : `This plan breaks ${next.verdicts} guardrail rule(s) (${next.rules.join(", ")}) and cannot be applied. Change the properties and generate again.`
    case "Scan":
      return "Show this explanation to the user. Then call run_checkov with the explained_token."
    case "ApplyUnscanned":
      return `Show this explanation to the user. Security scanning is disabled by the operator: call ${mutationTool(next.operation)} with skip_security_check=true.`
    case "ConfirmDelete":
      return "Show this to the user and ask them to confirm. Only then call delete_resource with the same resource_type and identifier, the credentials_token, this explained_token and confirmed=true. The server then asks the user to approve the delete themselves (a form in the client, or a link for them to open); only the operator can let confirmed=true decide alone (CCAPI_APPROVAL=model)."
    case "DescriptionOnly":
      return "This is a description only; it authorizes nothing. To change a resource, start with generate_infrastructure_code."
    case "Apply":
      return `No failed checks. Call ${mutationTool(next.operation)} with the credentials_token, explained_token and this security_scan_token.`
    case "ReviewFindings":
      return `${next.failedCheckIds.length} check(s) failed: ${next.failedCheckIds.join(", ")}. Show the findings to the user. Either fix the properties and start again with generate_infrastructure_code, or — if the user wants to accept these findings — call ${mutationTool(next.operation)} with this security_scan_token: the server asks the user to accept them themselves (a form in the client, or a link for them to open). Only when the operator set CCAPI_APPROVAL=model does accept_findings=${JSON.stringify(next.failedCheckIds)} accept them, as the model's decision.`
    case "Done":
      return "Done."
    case "RequestFailed":
      return `The request failed (${next.errorCode ?? "unknown error"}): ${next.statusMessage ?? ""} Fix the cause and start a new workflow.`
    case "FollowRequest":
      return `Still in progress. Follow it with get_resource_request_status(request_token="${next.requestToken}").`
    case "TemplateReady": {
      const ready = next.fromReads
        ? "Built from the live resources because the server is read-only (the IaC Generator would write to the account). Write-only properties cannot be read and are absent."
        : "The template is ready."
      if (next.notConverted !== undefined)
        return `${ready} It could not be written as ${next.notConverted} (see conversion_error): template_body is the CloudFormation template in YAML. Fix what conversion_error names, or ask for another output_format.`
      if (next.converted === "terraform")
        return `${ready} template_body is Terraform for the awscc provider: save it as a .tf file, run terraform init and terraform plan — the import blocks adopt the existing resources; read warnings first.`
      if (next.converted !== undefined)
        return `${ready} template_body is a CDK stack class (${next.converted === "cdk-typescript" ? "TypeScript" : "Python"}): add it to a CDK app and adopt the existing resources with cdk import; read warnings first.`
      return ready
    }
    case "TemplatePending":
      return `The IaC Generator is still working. Call create_template again with template_id="${next.templateId}"${next.format === undefined ? "" : ` and output_format="${next.format}"`} to fetch it.`
  }
}
