import { Result } from "effect"
import { ScanBlocked, type ScanFailed, ScanRequired, type ScannerUnavailable } from "../model/Errors.js"
import type { ScanReport } from "../model/Cloud.js"

/** What the gate was given: the operator's setting, the scan (if any) and what the call or a human accepted. */
export interface ScanGateInput {
  readonly scanning: "enabled" | "disabled"
  /** The report kept on the security scan token; undefined when there is none. */
  readonly report: ScanReport | undefined
  /** Why the scanner produced no report, when it ran and failed or could not run. */
  readonly scannerError?: ScanFailed | ScannerUnavailable | undefined
  readonly skipSecurityCheck: boolean
  /** Check ids the request accepts; must name exactly the failed checks. */
  readonly acceptedCheckIds: ReadonlyArray<string>
  /** A human approved the change, findings shown, through elicitation. */
  readonly approvedByHuman: boolean
}

/** The gate let the change through: the failed check ids accepted (to journal), and a warning to show with the result. */
export interface ScanGatePass {
  readonly accepted: ReadonlyArray<string>
  readonly warning?: string
}

export const scanDisabledWarning =
  "Security scanning is disabled by the operator (SECURITY_SCANNING=disabled): this change was applied without a security scan."

const list = (ids: ReadonlyArray<string>) => ids.join(", ")

/** Guarantee 3: a failed or missing scan blocks a mutation unless exactly its failed checks are accepted or a human approves. */
export const scanGate = (input: ScanGateInput): Result.Result<ScanGatePass, ScanBlocked | ScanRequired> => {
  if (input.scanning === "disabled") {
    return input.skipSecurityCheck
      ? Result.succeed({ accepted: [], warning: scanDisabledWarning })
      : Result.fail(
          new ScanRequired({
            reason: "scanning_disabled",
            message:
              "The operator disabled security scanning (SECURITY_SCANNING=disabled), so this change would be applied without a scan. Submit it again acknowledging that it is applied unscanned."
          })
        )
  }
  const report = input.report
  if (report === undefined) {
    if (input.scannerError !== undefined) {
      return Result.fail(
        new ScanRequired({
          reason: "scanner_failed",
          detail: input.scannerError.message,
          message: `The security scan could not run, so the change is blocked: ${input.scannerError.message} Fix the scanner and scan the explained plan again; only the operator can disable scanning (SECURITY_SCANNING=disabled).`
        })
      )
    }
    return Result.fail(
      new ScanRequired({
        reason: "scan_missing",
        skipIgnored: input.skipSecurityCheck,
        message: `Security scanning is enabled and no scan was supplied. Scan the explained plan, then submit the change with that scan.${input.skipSecurityCheck ? " Asking to skip the scan has no effect while the operator keeps scanning enabled." : ""}`
      })
    )
  }
  const failed = report.failedCheckIds
  const accepted = [...new Set(input.acceptedCheckIds.map((id) => id.trim()).filter((id) => id !== ""))].sort()
  if (failed.length === 0) {
    return Result.succeed(
      accepted.length === 0
        ? { accepted: [] }
        : {
            accepted: [],
            warning: `The scan found no failed checks; the accepted check ids (${list(accepted)}) were not needed.`
          }
    )
  }
  if (input.approvedByHuman) return Result.succeed({ accepted: failed })
  const missing = failed.filter((id) => !accepted.includes(id))
  const extra = accepted.filter((id) => !failed.includes(id))
  if (missing.length === 0 && extra.length === 0) return Result.succeed({ accepted: failed })
  const problems = [
    missing.length > 0 ? `not accepted: ${list(missing)}` : undefined,
    extra.length > 0 ? `accepted but not among the findings: ${list(extra)}` : undefined
  ].filter((p) => p !== undefined)
  return Result.fail(
    new ScanBlocked({
      failedCheckIds: failed,
      notAccepted: missing,
      notFound: extra,
      message: `The security scan failed ${failed.length} check${failed.length === 1 ? "" : "s"} (${list(failed)}), so the change is blocked (${problems.join("; ")}). Fix the findings and plan again, or, if the user accepts these risks, accept exactly these check ids: ${list(failed)}.`
    })
  )
}
