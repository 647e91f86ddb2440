import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  ApplyNext,
  decodeTokenId,
  FixGuardrails,
  FollowRequest,
  DeleteNotConfirmed,
  PlanMismatch,
  PropertiesInvalid,
  ReadOnlyMode,
  ReviewFindings,
  ScanBlocked,
  ScanRequired,
  TokenChainBroken,
  TokenExpired,
  TokenInvalid,
  TokenSpent
} from "@ccapi/core"
import { renderFailure, renderNextStep } from "../src/Wording.js"

/*
 * Core's token failures name kinds and steps; the model reads the parameter it passed and the tool to call. These
 * are the words the model has always read.
 */

describe("token failures in MCP terms", () => {
  it.effect("a malformed or wrong-kind token names the parameter and the tool that issues the right one", () =>
    Effect.gen(function* () {
      const malformed = renderFailure(yield* Effect.flip(decodeTokenId("explained", "explained_short")))
      assert.strictEqual(
        malformed.message,
        "explained_token is not a token this server issued. Pass the token that explain returned in this session."
      )
      assert.deepStrictEqual(malformed.details, { parameter: "explained_token" })
      const wrongKind = renderFailure(yield* Effect.flip(decodeTokenId("explained", `credentials_${"A".repeat(32)}`)))
      assert.strictEqual(wrongKind.tag, "TokenInvalid")
      assert.include(wrongKind.message, "explain")
      assert.include(wrongKind.message, "get_aws_session_info")
      assert.strictEqual(
        wrongKind.message,
        "explained_token must be the explained token from explain, but a credentials token (from get_aws_session_info) was passed. Pass the token that explain returned in this session."
      )
    })
  )

  it("an unknown token says it was never issued or forgotten", () => {
    const rendered = renderFailure(
      new TokenInvalid({ kind: "credentials", reason: "unknown", message: "core's wording" })
    )
    assert.strictEqual(
      rendered.message,
      "credentials_token is not a token this server knows: it was never issued, or it was forgotten (the server restarted, or it expired long ago). Pass the token that get_aws_session_info returned in this session."
    )
  })

  it("a spent token says how to start again; a plan explained twice says to use the first explanation", () => {
    const spent = renderFailure(new TokenSpent({ kind: "explained", spentBy: "mutation", message: "core's wording" }))
    assert.include(spent.message, "generate_infrastructure_code")
    assert.strictEqual(
      spent.message,
      "explained_token was already used by a submitted change; each token works once. Start the change again: generate_infrastructure_code, then explain (and run_checkov when scanning is enabled); for a delete, explain the resource again."
    )
    const explained = renderFailure(
      new TokenSpent({ kind: "generated_code", spentBy: "explanation", message: "core's wording" })
    )
    assert.strictEqual(
      explained.message,
      "This plan was already explained: each plan gets one explained_token. Use the explained_token that explain returned, or plan again with generate_infrastructure_code."
    )
    assert.deepStrictEqual(explained.details, { parameter: "generated_code_token" })
  })

  it("an expired token says how long ago and which tool issues a new one", () => {
    const rendered = renderFailure(
      new TokenExpired({ kind: "credentials", expiredFor: 60_000, validFor: 600_000, message: "core's wording" })
    )
    assert.include(rendered.message, "get_aws_session_info")
    assert.strictEqual(
      rendered.message,
      "credentials_token expired 1 minute ago (it was valid for 10 minutes). Call get_aws_session_info again to get a new one."
    )
  })

  it("a broken chain names the parameters of the tokens that do not belong together", () => {
    const render = (
      reason: TokenChainBroken["reason"],
      child: TokenChainBroken["child"],
      parent: TokenChainBroken["parent"]
    ) => renderFailure(new TokenChainBroken({ reason, child, parent, message: "core's wording" }))
    const spliced = render("other_workflow", "explained", "generated_code")
    assert.include(spliced.message, "generated_code_token")
    assert.strictEqual(
      spliced.message,
      "The explained token and generated_code_token come from different workflows: the explained token was not issued from this generated_code_token. Pass the tokens of one workflow, or start the change again: generate_infrastructure_code, then explain (and run_checkov when scanning is enabled); for a delete, explain the resource again."
    )
    assert.deepStrictEqual(spliced.details, {})
    assert.include(
      render("other_credentials", "explained", "credentials").message,
      "does not come from a plan made with this credentials_token"
    )
    assert.include(render("other_account", "explained", "credentials").message, "another account")
    assert.include(render("other_explanation", "security_scan", "explained").message, "Run run_checkov")
  })

  it("a request that differs from the plan names the parameter that differs", () => {
    const operation = renderFailure(
      new PlanMismatch({ field: "operation", planned: "update", requested: "delete", message: "core's wording" })
    )
    assert.include(operation.message, "call update_resource with it, not delete_resource")
    assert.strictEqual(
      operation.message,
      "This explained_token is for a update; call update_resource with it, not delete_resource. The request must match the plan that was explained; nothing was changed. To change something else, start again with generate_infrastructure_code."
    )
    assert.deepStrictEqual(operation.details, { field: "operation" })
    const type = renderFailure(
      new PlanMismatch({
        field: "typeName",
        planned: "AWS::S3::Bucket",
        requested: "AWS::SQS::Queue",
        message: "core's wording"
      })
    )
    assert.strictEqual(
      type.message,
      "resource_type AWS::SQS::Queue differs from the plan's AWS::S3::Bucket. The request must match the plan that was explained and scanned; nothing was changed. To change something else, start again with generate_infrastructure_code."
    )
    assert.deepStrictEqual(type.details, { field: "resource_type" })
    const patch = renderFailure(new PlanMismatch({ field: "patch", message: "core's wording" }))
    assert.include(patch.message, "patch_document differs from the patch that was explained. Omit patch_document")
    assert.deepStrictEqual(patch.details, { field: "patch_document" })
  })

  it("the credentials resolving to another account right before sending names the step that starts again", () => {
    const rendered = renderFailure(
      new PlanMismatch({
        field: "account",
        planned: "123456789012",
        requested: "210987654321",
        atApply: true,
        message: "core's wording"
      })
    )
    assert.strictEqual(
      rendered.message,
      "The credentials now resolve to account 210987654321, but the plan was made and shown for account 123456789012. Nothing was sent. Check AWS_PROFILE and the credentials, then start again with get_aws_session_info."
    )
  })
})

describe("scan, read-only and delete refusals in MCP terms", () => {
  it("a required scan names run_checkov, the explained_token and skip_security_check", () => {
    const words = (error: ScanRequired) => renderFailure(error).message
    assert.strictEqual(
      words(new ScanRequired({ reason: "scanning_disabled", message: "core's wording" })),
      "The operator disabled security scanning (SECURITY_SCANNING=disabled), so this change would be applied without a scan. Call again with skip_security_check=true to acknowledge that."
    )
    assert.strictEqual(
      words(new ScanRequired({ reason: "scanner_failed", detail: "checkov crashed.", message: "core's wording" })),
      "The security scan could not run, so the change is blocked: checkov crashed. Fix the scanner and call run_checkov with the explained_token again; only the operator can disable scanning (SECURITY_SCANNING=disabled)."
    )
    assert.strictEqual(
      words(new ScanRequired({ reason: "scan_missing", skipIgnored: true, message: "core's wording" })),
      "Security scanning is enabled and no scan was supplied. Call run_checkov with the explained_token, then pass the security_scan_token it returns. skip_security_check=true has no effect while the operator keeps scanning enabled."
    )
  })

  it("a blocked scan names accept_findings and exactly the failed ids", () => {
    const rendered = renderFailure(
      new ScanBlocked({
        failedCheckIds: ["CKV_AWS_18", "CKV_AWS_21"],
        notAccepted: ["CKV_AWS_21"],
        notFound: ["CKV_AWS_99"],
        message: "core's wording"
      })
    )
    assert.strictEqual(
      rendered.message,
      "The security scan failed 2 checks (CKV_AWS_18, CKV_AWS_21), so the change is blocked (not accepted: CKV_AWS_21; accepted but not among the findings: CKV_AWS_99). Fix the findings and start again from generate_infrastructure_code, or, if the user accepts these risks, pass accept_findings with exactly these ids: CKV_AWS_18, CKV_AWS_21 (the operator set CCAPI_APPROVAL=model, so that is recorded as the model's decision, not a person's)."
    )
    assert.deepStrictEqual(rendered.details["failedCheckIds"], ["CKV_AWS_18", "CKV_AWS_21"])
  })

  it("read-only names --readonly and the refused tool; a plain delete refusal names confirmed=true", () => {
    assert.strictEqual(
      renderFailure(new ReadOnlyMode({ refused: "delete", message: "core's wording" })).message,
      "The server runs read-only (--readonly): delete_resource is not available. Ask the operator to restart it without --readonly to make changes."
    )
    assert.include(
      renderFailure(new ReadOnlyMode({ refused: "plan", message: "core's wording" })).message,
      "Use the read tools (get_resource, list_resources)."
    )
    assert.strictEqual(
      renderFailure(new DeleteNotConfirmed({ message: "core's wording" })).message,
      "Deleting needs confirmed=true, set only after the user has seen the delete explanation and agreed."
    )
  })

  it("invalid properties point at get_resource_schema_information and generate_infrastructure_code", () => {
    const rendered = renderFailure(
      new PropertiesInvalid({
        typeName: "AWS::S3::Bucket",
        violations: [],
        message: "The properties do not match the schema of AWS::S3::Bucket: /Foo is not allowed."
      })
    )
    assert.strictEqual(
      rendered.message,
      "The properties do not match the schema of AWS::S3::Bucket: /Foo is not allowed. get_resource_schema_information shows the schema of AWS::S3::Bucket; generate_infrastructure_code makes the new plan."
    )
  })
})

describe("failures that name no MCP word", () => {
  it("a failure that names no token is shown as core worded it, with its details", () => {
    const rendered = renderFailure({ _tag: "DeleteLimitReached", message: "limit reached.", limit: 2 } as never)
    assert.deepStrictEqual(rendered, { tag: "DeleteLimitReached", message: "limit reached.", details: { limit: 2 } })
  })
})

describe("next steps in MCP terms", () => {
  it("names the tool to call and the parameters to pass", () => {
    assert.strictEqual(
      renderNextStep(ApplyNext.make({ operation: "update" })),
      "No failed checks. Call update_resource with the credentials_token, explained_token and this security_scan_token."
    )
    assert.strictEqual(
      renderNextStep(ReviewFindings.make({ operation: "create", failedCheckIds: ["CKV_AWS_18"] })),
      '1 check(s) failed: CKV_AWS_18. Show the findings to the user. Either fix the properties and start again with generate_infrastructure_code, or — if the user wants to accept these findings — call create_resource with this security_scan_token: the server asks the user to accept them themselves (a form in the client, or a link for them to open). Only when the operator set CCAPI_APPROVAL=model does accept_findings=["CKV_AWS_18"] accept them, as the model\'s decision.'
    )
    assert.strictEqual(
      renderNextStep(FollowRequest.make({ requestToken: "r-1" })),
      'Still in progress. Follow it with get_resource_request_status(request_token="r-1").'
    )
    assert.strictEqual(
      renderNextStep(FixGuardrails.make({ verdicts: 2, rules: ["a", "b"], inExplanation: false })),
      "This plan breaks 2 guardrail rule(s) (a, b) and cannot be applied. Change the properties and generate again."
    )
  })
})
