import { Effect, Schema, Struct } from "effect"
import { z } from "zod"
import { InvalidInput, runScan, ScanOutcome, ScanReport } from "@ccapi/core"
import { decodeTokenId } from "./Arguments.js"
import { defineTool } from "../Tool.js"
import { FindingOut } from "./Shapes.js"
import { NextStepText } from "./Wire.js"

/** Step 5: the security scan of the stored plan. */
export const run_checkov = defineTool({
  name: "run_checkov",
  title: "Scan the planned change",
  description: [
    "Step 5 when SECURITY_SCANNING=enabled: runs Checkov on the CloudFormation template stored with the explained plan (the model cannot supply other content).",
    "Returns scan_status PASSED or FAILED, the failed checks (check id, name, resource, severity, guideline) and a security_scan_token for create_resource/update_resource.",
    "A FAILED scan blocks the mutation until the user accepts those checks themselves: show them the findings; the mutation tool then asks them (a form, or a link to open). Only under the operator setting CCAPI_APPROVAL=model does passing the exact ids as accept_findings accept them, as the model's decision.",
    "Only framework=cloudformation is supported. Not for live resources (use get_resource with analyze_security)."
  ].join(" "),
  mutating: false,
  input: {
    explained_token: z
      .string()
      .describe("Explained token from explain() containing the CloudFormation template to scan"),
    framework: z.string().nullish().describe("The framework to scan; only cloudformation is supported (the default)")
  },
  output: Schema.Struct({
    ...Struct.omit(ScanOutcome.fields, ["report"]),
    scanStatus: Schema.Literals(["PASSED", "FAILED"]),
    failedChecks: Schema.Array(FindingOut),
    /** The report without its failed checks (given above). */
    summary: Schema.Struct(Struct.omit(ScanReport.fields, ["findings"])).pipe(
      Schema.encodeKeys({ scannerVersion: "scanner_version", passedCheckIds: "passed_check_ids" })
    ),
    next: NextStepText
  }).pipe(
    Schema.encodeKeys({
      securityScanToken: "security_scan_token",
      scanStatus: "scan_status",
      failedCheckIds: "failed_check_ids",
      failedChecks: "failed_checks",
      next: "next_step"
    })
  ),
  annotations: () => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false }),
  run: (args) =>
    Effect.map(
      Effect.gen(function* () {
        if (
          args.framework !== undefined &&
          args.framework !== null &&
          args.framework.toLowerCase() !== "cloudformation"
        )
          return yield* new InvalidInput({
            message:
              'framework: only "cloudformation" is supported — the plan is a CloudFormation template, and any other framework would scan nothing. Omit it.'
          })
        return yield* runScan({
          explainedToken: yield* decodeTokenId("explained", args.explained_token)
        })
      }),
      (result) => ({
        ...result,
        scanStatus: result.passed ? ("PASSED" as const) : ("FAILED" as const),
        failedChecks: result.report.findings,
        summary: result.report
      })
    )
})
