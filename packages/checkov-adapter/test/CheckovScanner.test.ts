import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type JsonObject, SecurityScanner } from "@ccapi/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { adminPolicyTemplate } from "@ccapi/testkit/contracts"
import { CheckovScanner } from "../src/index.js"

/*
 * These tests run the real Checkov: CCAPI_CHECKOV_BIN, else the project venv that `scripts/setup-checkov.mjs`
 * (run by `npm test`'s pretest) installs. Without it they are skipped and say why — unless CCAPI_REQUIRE_CHECKOV=1
 * (set by CI), in which case the availability test fails the run.
 */
const venvBin = fileURLToPath(new URL("../../../.venv/checkov/bin/checkov", import.meta.url))
const bin = process.env.CCAPI_CHECKOV_BIN ?? venvBin
const available = existsSync(bin)
const required = process.env.CCAPI_REQUIRE_CHECKOV === "1"
const skipReason = `Checkov not found at ${bin}: run \`node scripts/setup-checkov.mjs\` or set CCAPI_CHECKOV_BIN`
if (!available) console.warn(`[checkov-adapter] real-Checkov tests SKIPPED — ${skipReason}`)

const scan = (template: JsonObject, options: CheckovScanner.CheckovScannerOptions = {}) =>
  Effect.gen(function* () {
    const scanner = yield* SecurityScanner
    return yield* scanner.scan(template)
  }).pipe(Effect.provide(CheckovScanner.layer({ bin, ...options })))

const bucket = (properties: JsonObject): JsonObject => ({
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: "ccapi-test-bucket", ...properties } } }
})
const bareBucket = bucket({})
const loggedVersionedBucket = bucket({
  LoggingConfiguration: { DestinationBucketName: "ccapi-test-logs", LogFilePrefix: "bucket/" },
  VersioningConfiguration: { Status: "Enabled" }
})

describe("real Checkov", () => {
  it.runIf(required)("is installed (CCAPI_REQUIRE_CHECKOV=1)", () => {
    assert.isTrue(available, skipReason)
  })

  describe.skipIf(!available)(`scans with ${bin}`, () => {
    it.live("fails CKV_AWS_18 and CKV_AWS_21 for a bucket with neither logging nor versioning", () =>
      Effect.gen(function* () {
        const report = yield* scan(bareBucket)
        assert.includeMembers([...report.failedCheckIds], ["CKV_AWS_18", "CKV_AWS_21"])
        assert.strictEqual(report.failed, report.findings.length)
        assert.isAbove(report.passed, 0)
        assert.strictEqual(report.scanner, "checkov")
        assert.match(report.scannerVersion ?? "", /^\d+\.\d+\.\d+/)
        const logging = report.findings.find((f) => f.checkId === "CKV_AWS_18")!
        assert.strictEqual(logging.resource, "AWS::S3::Bucket.Bucket")
        assert.strictEqual(logging.location, "/Resources/Bucket")
        assert.match(logging.title, /access logging/i)
      })
    )

    it.live("passes CKV_AWS_18 and CKV_AWS_21 for a bucket with logging and versioning", () =>
      Effect.gen(function* () {
        const report = yield* scan(loggedVersionedBucket)
        assert.includeMembers([...report.passedCheckIds], ["CKV_AWS_18", "CKV_AWS_21"])
        assert.notInclude(report.failedCheckIds, "CKV_AWS_18")
        assert.notInclude(report.failedCheckIds, "CKV_AWS_21")
      })
    )

    it.live("fails the IAM wildcard checks for a policy allowing * on *", () =>
      Effect.gen(function* () {
        const report = yield* scan(adminPolicyTemplate)
        assert.includeMembers(
          [...report.failedCheckIds],
          ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"]
        )
        assert.isTrue(report.findings.every((f) => f.resource === "AWS::IAM::Policy.Everything"))
      })
    )

    it.live("handles the summary-only output of a template with nothing to scan", () =>
      Effect.gen(function* () {
        const report = yield* scan({ Resources: {} })
        assert.deepStrictEqual(
          [report.passed, report.failed, report.skipped, report.findings.length, report.passedCheckIds.length],
          [0, 0, 0, 0, 0]
        )
        assert.match(report.scannerVersion ?? "", /^\d+\.\d+\.\d+/)
      })
    )

    it.live("honours the operator's skip list and allow list", () =>
      Effect.gen(function* () {
        const skipped = yield* scan(bareBucket, { skipChecks: ["CKV_AWS_18"] })
        assert.notInclude(skipped.failedCheckIds, "CKV_AWS_18")
        assert.include(skipped.failedCheckIds, "CKV_AWS_21")
        const only = yield* scan(bareBucket, { checks: ["CKV_AWS_21"] })
        assert.deepStrictEqual(only.failedCheckIds, ["CKV_AWS_21"])
        assert.strictEqual(only.passed, 0)
      })
    )

    it.live("keeps Checkov's parser cache in cacheDir across scans, and nothing else of a scan", () =>
      Effect.gen(function* () {
        const cacheDir = join(mkdtempSync(join(tmpdir(), "ccapi-checkov-cache-test-")), "cache")
        const first = yield* scan(bareBucket, { cacheDir })
        const cached = readdirSync(cacheDir)
        assert.isTrue(
          cached.some((name) => name.includes("lark")),
          `expected a Lark cache in ${cacheDir}, found: ${cached.join(", ")}`
        )
        assert.strictEqual(statSync(cacheDir).mode & 0o777, 0o700)
        assert.notInclude(cached, "template.json")
        const second = yield* scan(bareBucket, { cacheDir })
        assert.deepStrictEqual(second.failedCheckIds, first.failedCheckIds)
        assert.deepStrictEqual(readdirSync(cacheDir).sort(), cached.sort())
        rmSync(dirname(cacheDir), { recursive: true, force: true })
      })
    )
  })
})
