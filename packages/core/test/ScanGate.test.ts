import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { ScanFailed, ScannerUnavailable } from "../src/model/Errors.js"
import { Finding, ScanReport } from "../src/model/Cloud.js"
import { scanGate, type ScanGateInput } from "../src/policy/ScanGate.js"

const finding = (checkId: string) =>
  new Finding({
    checkId,
    title: `check ${checkId}`,
    resource: "AWS::S3::Bucket.Bucket",
    severity: null,
    guideline: null
  })
const report = (...failed: Array<string>) =>
  new ScanReport({
    scanner: "checkov",
    passed: 10,
    failed: failed.length,
    skipped: 0,
    findings: failed.map(finding),
    passedCheckIds: ["CKV_AWS_19"]
  })

const base: ScanGateInput = {
  scanning: "enabled",
  report: undefined,
  skipSecurityCheck: false,
  acceptedCheckIds: [],
  approvedByHuman: false
}
const gate = (input: Partial<ScanGateInput>) => scanGate({ ...base, ...input })

type Expect =
  | { readonly pass: ReadonlyArray<string>; readonly warning?: RegExp }
  | { readonly fail: string; readonly says: RegExp }

const table: ReadonlyArray<readonly [string, Partial<ScanGateInput>, Expect]> = [
  ["enabled, clean scan", { report: report() }, { pass: [] }],
  ["enabled, no scan", {}, { fail: "ScanRequired", says: /no scan was supplied\. Scan the explained plan/ }],
  [
    "enabled, no scan, skip asked for",
    { skipSecurityCheck: true },
    { fail: "ScanRequired", says: /Asking to skip the scan has no effect/ }
  ],
  [
    "enabled, scanner missing",
    { scannerError: new ScannerUnavailable({ message: "checkov is not installed (pipx install checkov)." }) },
    { fail: "ScanRequired", says: /pipx install checkov.*SECURITY_SCANNING=disabled/ }
  ],
  [
    "enabled, scanner crashed, even with a human approval",
    { scannerError: new ScanFailed({ reason: "exit 3", message: "checkov crashed." }), approvedByHuman: true },
    { fail: "ScanRequired", says: /checkov crashed/ }
  ],
  [
    "enabled, failed checks, nothing accepted",
    { report: report("CKV_AWS_21", "CKV_AWS_18") },
    { fail: "ScanBlocked", says: /CKV_AWS_18, CKV_AWS_21/ }
  ],
  [
    "enabled, failed checks, some accepted",
    { report: report("CKV_AWS_21", "CKV_AWS_18"), acceptedCheckIds: ["CKV_AWS_18"] },
    { fail: "ScanBlocked", says: /not accepted: CKV_AWS_21/ }
  ],
  [
    "enabled, failed checks, an extra id accepted",
    { report: report("CKV_AWS_18"), acceptedCheckIds: ["CKV_AWS_18", "CKV_AWS_999"] },
    { fail: "ScanBlocked", says: /not among the findings: CKV_AWS_999/ }
  ],
  [
    "enabled, failed checks, skip does not bypass",
    { report: report("CKV_AWS_18"), skipSecurityCheck: true },
    { fail: "ScanBlocked", says: /CKV_AWS_18/ }
  ],
  [
    "enabled, failed checks, exactly accepted (any order, repeated, padded)",
    {
      report: report("CKV_AWS_21", "CKV_AWS_18", "CKV_AWS_18"),
      acceptedCheckIds: [" CKV_AWS_21", "CKV_AWS_18", "CKV_AWS_18"]
    },
    { pass: ["CKV_AWS_18", "CKV_AWS_21"] }
  ],
  [
    "enabled, failed checks, a human approved",
    { report: report("CKV_AWS_18"), approvedByHuman: true },
    { pass: ["CKV_AWS_18"] }
  ],
  [
    "enabled, clean scan, needless accepted ids",
    { report: report(), acceptedCheckIds: ["CKV_AWS_18"] },
    { pass: [], warning: /not needed/ }
  ],
  [
    "disabled, skip not said",
    { scanning: "disabled" },
    { fail: "ScanRequired", says: /operator disabled security scanning.*acknowledging that it is applied unscanned/ }
  ],
  [
    "disabled, skip said",
    { scanning: "disabled", skipSecurityCheck: true },
    { pass: [], warning: /SECURITY_SCANNING=disabled/ }
  ],
  [
    "disabled, scanner missing, skip said",
    { scanning: "disabled", skipSecurityCheck: true, scannerError: new ScannerUnavailable({ message: "no checkov" }) },
    { pass: [], warning: /without a security scan/ }
  ]
]

describe("scanGate", () => {
  for (const [name, input, expected] of table) {
    it(name, () => {
      const result = gate(input)
      if ("pass" in expected) {
        assert.isTrue(Result.isSuccess(result), Result.isFailure(result) ? result.failure.message : "")
        const pass = Result.getOrThrow(result)
        assert.deepStrictEqual(pass.accepted, expected.pass)
        if (expected.warning) assert.match(pass.warning ?? "", expected.warning)
        else assert.isUndefined(pass.warning)
      } else {
        const error = Result.flip(result).pipe(Result.getOrThrow)
        assert.strictEqual(error._tag, expected.fail)
        assert.match(error.message, expected.says)
      }
    })
  }

  it("a blocked scan carries the failed check ids for the caller", () => {
    const error = Result.flip(gate({ report: report("CKV_AWS_21", "CKV_AWS_18") })).pipe(Result.getOrThrow)
    assert.strictEqual(error._tag, "ScanBlocked")
    if (error._tag === "ScanBlocked") assert.deepStrictEqual(error.failedCheckIds, ["CKV_AWS_18", "CKV_AWS_21"])
  })

  it("a blocked scan says which ids were not accepted and which accepted ids are not findings", () => {
    const error = Result.flip(
      gate({ report: report("CKV_AWS_21", "CKV_AWS_18"), acceptedCheckIds: ["CKV_AWS_18", "CKV_AWS_99"] })
    ).pipe(Result.getOrThrow)
    assert.strictEqual(error._tag, "ScanBlocked")
    if (error._tag === "ScanBlocked") {
      assert.deepStrictEqual(error.notAccepted, ["CKV_AWS_21"])
      assert.deepStrictEqual(error.notFound, ["CKV_AWS_99"])
    }
  })

  it("says why a scan is required: scanning disabled, the scanner failed, or no scan given (a skip ignored)", () => {
    const reasons = [
      gate({ scanning: "disabled" }),
      gate({ scannerError: new ScanFailed({ reason: "exit 3", message: "checkov crashed." }) }),
      gate({ skipSecurityCheck: true })
    ].map((result) => {
      const error = Result.flip(result).pipe(Result.getOrThrow)
      return error._tag === "ScanRequired" ? [error.reason, error.detail, error.skipIgnored] : [error._tag]
    })
    assert.deepStrictEqual(reasons, [
      ["scanning_disabled", undefined, undefined],
      ["scanner_failed", "checkov crashed.", undefined],
      ["scan_missing", undefined, true]
    ])
  })
})
