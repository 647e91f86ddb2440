import { type JsonObject, SecurityScanner } from "@ccapi/core"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { testFor, type Timing } from "./support.js"

export interface SecurityScannerHarness extends Timing {
  readonly layer: () => Layer.Layer<SecurityScanner>
}

const bucketTemplate = (properties: JsonObject): JsonObject => ({
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: properties } }
})

/** An IAM policy allowing `*` on `*` (Checkov: CKV_AWS_62, CKV_AWS_63, CKV_AWS_109, CKV_AWS_111 fail). */
export const adminPolicyTemplate: JsonObject = {
  Resources: {
    Everything: {
      Type: "AWS::IAM::Policy",
      Properties: {
        PolicyName: "everything",
        Roles: ["some-role"],
        PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }
      }
    }
  }
}

/** Templates every scanner must judge alike (Checkov's check ids), and the shape of its report. */
export const securityScannerContract = (name: string, harness: SecurityScannerHarness): void => {
  const test = testFor(harness)
  const scan = (template: JsonObject) =>
    Effect.flatMap(SecurityScanner, (scanner) => scanner.scan(template)).pipe(Effect.provide(harness.layer()))

  describe(`SecurityScanner contract: ${name}`, () => {
    test("a bucket without logging or versioning fails CKV_AWS_18 and CKV_AWS_21 on that resource", () =>
      Effect.gen(function* () {
        const report = yield* scan(bucketTemplate({ BucketName: "bare" }))
        assert.includeMembers([...report.failedCheckIds], ["CKV_AWS_18", "CKV_AWS_21"])
        assert.strictEqual(report.failed, report.findings.length)
        const finding = report.findings.find((f) => f.checkId === "CKV_AWS_21")!
        assert.strictEqual(finding.resource, "AWS::S3::Bucket.Bucket")
        assert.isNotEmpty(finding.title)
      }))

    test("a bucket with logging and versioning passes CKV_AWS_18 and CKV_AWS_21", () =>
      Effect.gen(function* () {
        const report = yield* scan(
          bucketTemplate({
            BucketName: "kept",
            VersioningConfiguration: { Status: "Enabled" },
            LoggingConfiguration: { DestinationBucketName: "logs", LogFilePrefix: "kept/" }
          })
        )
        assert.includeMembers([...report.passedCheckIds], ["CKV_AWS_18", "CKV_AWS_21"])
        assert.notInclude(report.failedCheckIds, "CKV_AWS_18")
        assert.notInclude(report.failedCheckIds, "CKV_AWS_21")
      }))

    test("an IAM policy allowing * on * fails the wildcard checks", () =>
      Effect.gen(function* () {
        const report = yield* scan(adminPolicyTemplate)
        assert.includeMembers([...report.failedCheckIds], ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_109", "CKV_AWS_111"])
        assert.isTrue(report.findings.every((f) => f.resource === "AWS::IAM::Policy.Everything"))
      }))

    test("a template with no resources has no findings", () =>
      Effect.gen(function* () {
        const report = yield* scan({ Resources: {} })
        assert.deepStrictEqual([report.failed, report.findings.length], [0, 0])
      }))
  })
}
