import { Context, type Effect } from "effect"
import type { ScanFailed, ScannerUnavailable } from "../model/Errors.js"
import type { JsonObject } from "../model/Json.js"
import type { ScanReport } from "../model/Cloud.js"

/** Scan a CloudFormation template for security misconfigurations. */
export class SecurityScanner extends Context.Service<
  SecurityScanner,
  {
    readonly scan: (template: JsonObject) => Effect.Effect<ScanReport, ScanFailed | ScannerUnavailable>
  }
>()("@ccapi/core/ports/SecurityScanner") {}
