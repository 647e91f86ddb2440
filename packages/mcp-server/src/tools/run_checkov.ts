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
    "Step 5 when scanning is enabled: runs Checkov on the explained plan's template; returns scan_status PASSED or FAILED, the failed checks and security_scan_token for create/update_resource.",
    "Failed checks block the change until the user accepts them: show the findings; the mutation tool asks the user (under CCAPI_APPROVAL=model, the model passes their ids as accept_findings)."
  ].join(" "),
  mutating: false,
  input: {
    explained_token: z.string().describe("From explain"),
    framework: z.string().nullish().describe("cloudformation (the only one)")
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
