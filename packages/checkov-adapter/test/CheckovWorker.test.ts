import { chmodSync, existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type JsonObject, type ScanReport, SecurityScanner } from "@ccapi/core"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { CheckovScanner } from "../src/index.js"
import { interpreterOf } from "../src/internal/CheckovWorker.js"
import { isAlive, makeFakeDir, removeFakeDir, reportJson, waitUntilGone } from "./fakes.js"

/*
 * The warm worker against the real Checkov (the project venv, or CCAPI_CHECKOV_BIN): the same reports as the CLI on a
 * corpus of templates scanned one after another by one worker, a worker that dies or times out replaced, and none
 * left running when the scanner's scope closes. Skipped, saying why, without Checkov — unless CCAPI_REQUIRE_CHECKOV=1
 * (CI), where CheckovScanner.test.ts fails the run.
 */
const venvBin = fileURLToPath(new URL("../../../.venv/checkov/bin/checkov", import.meta.url))
const bin = process.env.CCAPI_CHECKOV_BIN ?? venvBin
const available = existsSync(bin) && interpreterOf(bin) !== undefined
if (!available) console.warn(`[checkov-adapter] worker tests SKIPPED — no Checkov Python script at ${bin}`)

const dir = makeFakeDir()
afterAll(() => removeFakeDir(dir))

const template = (type: string, properties: JsonObject): JsonObject => ({
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { Resource: { Type: type, Properties: properties } }
})

/** Templates of several types, clean and not, so that a worker leaking state from one scan into the next shows. */
const corpus: ReadonlyArray<readonly [string, JsonObject]> = [
  ["bare bucket", template("AWS::S3::Bucket", { BucketName: "ccapi-corpus" })],
  ["encrypted queue", template("AWS::SQS::Queue", { QueueName: "q", KmsMasterKeyId: "alias/aws/sqs" })],
  [
    "bucket with logging and versioning",
    template("AWS::S3::Bucket", {
      BucketName: "ccapi-corpus-logged",
      LoggingConfiguration: { DestinationBucketName: "logs", LogFilePrefix: "b/" },
      VersioningConfiguration: { Status: "Enabled" }
    })
  ],
  [
    "admin policy",
    template("AWS::IAM::Policy", {
      PolicyName: "everything",
      Roles: ["r"],
      PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }
    })
  ],
  [
    "security group open to ssh",
    template("AWS::EC2::SecurityGroup", {
      GroupDescription: "ssh",
      SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" }]
    })
  ],
  ["unencrypted database", template("AWS::RDS::DBInstance", { DBInstanceClass: "db.t3.micro", Engine: "mysql" })],
  ["key without rotation", template("AWS::KMS::Key", { KeyPolicy: { Version: "2012-10-17", Statement: [] } })],
  ["no resources", { AWSTemplateFormatVersion: "2010-09-09", Resources: {} }]
]

/** A report as plain data, to compare two of them field by field. */
const view = (report: ScanReport) => ({ ...report, findings: report.findings.map((finding) => ({ ...finding })) })

// One cache directory for both modes, as the server has: Checkov then keeps its parsers between scans.
const cacheDir = join(dir, "cache")

const scanAll = (options: CheckovScanner.CheckovScannerOptions) =>
  Effect.gen(function* () {
    const scanner = yield* SecurityScanner
    const reports = []
    for (const [, t] of corpus) reports.push(yield* scanner.scan(t))
    return reports
  }).pipe(Effect.provide(CheckovScanner.layer({ bin, cacheDir, ...options })))

/** A worker-mode scanner over the real Checkov, and the pid of every worker it spawns, in order. */
const recordingWorkers = (options: CheckovScanner.CheckovScannerOptions = {}) => {
  const pids: Array<number> = []
  const layer = CheckovScanner.layer({ bin, mode: "worker", ...options, onSpawn: (pid) => void pids.push(pid) })
  return { pids, layer }
}

describe("interpreterOf", () => {
  it("finds the absolute python of a script's #! line, and nothing for other executables", () => {
    const script = (name: string, first: string) => {
      const path = join(dir, name)
      writeFileSync(path, `${first}\nprint("hi")\n`)
      chmodSync(path, 0o755)
      return path
    }
    assert.strictEqual(interpreterOf(script("venv", "#!/opt/venv/bin/python3.11")), "/opt/venv/bin/python3.11")
    assert.strictEqual(interpreterOf(script("plain", "#!/usr/bin/python")), "/usr/bin/python")
    assert.isUndefined(interpreterOf(script("env", "#!/usr/bin/env python3")))
    assert.isUndefined(interpreterOf(script("shell", "#!/bin/sh")))
    assert.isUndefined(interpreterOf(script("none", "print(1)")))
    assert.isUndefined(interpreterOf(join(dir, "missing")))
  })
})

describe("a worker that cannot import Checkov", () => {
  it.live("falls back to the CLI, whose report is used", () =>
    Effect.gen(function* () {
      // A `checkov` whose #! interpreter is a Python without Checkov: the worker says so and exits; the CLI (this
      // script, run as a program) answers instead.
      const path = join(dir, "python-fake")
      const report = JSON.stringify(reportJson([["CKV_AWS_18", "AWS::S3::Bucket.Bucket"]]))
      writeFileSync(path, `#!/usr/bin/python3\nprint(${JSON.stringify(report)})\nraise SystemExit(1)\n`)
      chmodSync(path, 0o755)
      const scanner = yield* SecurityScanner
      const first = yield* scanner.scan(template("AWS::S3::Bucket", {}))
      const second = yield* scanner.scan(template("AWS::S3::Bucket", {}))
      assert.deepStrictEqual(first.failedCheckIds, ["CKV_AWS_18"])
      assert.deepStrictEqual(second.failedCheckIds, ["CKV_AWS_18"])
    }).pipe(Effect.provide(CheckovScanner.layer({ bin: join(dir, "python-fake"), mode: "auto" })))
  )
})

describe.skipIf(!available)(`the warm worker with ${bin}`, () => {
  it.live(
    "reports exactly what the CLI reports, template after template",
    () =>
      Effect.gen(function* () {
        const byWorker = yield* scanAll({ mode: "worker" })
        const byCli = yield* scanAll({ mode: "cli" })
        assert.strictEqual(byWorker.length, corpus.length)
        corpus.forEach(([name], i) => {
          assert.deepStrictEqual(view(byWorker[i]!), view(byCli[i]!), name)
        })
        // The corpus is not trivially alike: a worker answering one report for every template would fail above.
        assert.isAbove(new Set(byCli.map((r) => r.failedCheckIds.join())).size, 4)
      }),
    240_000
  )

  it.live(
    "replaces a worker that died between scans, and kills its worker when the scope closes",
    () =>
      Effect.gen(function* () {
        const { pids, layer } = recordingWorkers()
        yield* Effect.scoped(
          Effect.gen(function* () {
            const scanner = yield* SecurityScanner
            const first = yield* scanner.scan(corpus[0]![1])
            assert.strictEqual(pids.length, 1)
            process.kill(pids[0]!, "SIGKILL")
            assert.deepStrictEqual(yield* waitUntilGone([pids[0]!]), [])
            const again = yield* scanner.scan(corpus[0]![1])
            assert.deepStrictEqual(view(again), view(first))
            assert.strictEqual(pids.length, 2)
            assert.isTrue(isAlive(pids[1]!))
          }).pipe(Effect.provide(layer))
        )
        assert.deepStrictEqual(yield* waitUntilGone(pids), [], "a worker outlived its scanner")
      }),
    240_000
  )

  it.live(
    "a scan past its timeout fails as ScanFailed and takes the worker (and its scan) with it",
    () =>
      Effect.gen(function* () {
        // Importing Checkov alone takes longer than this.
        const { pids, layer } = recordingWorkers({ timeout: "50 millis" })
        const exit = yield* Effect.exit(
          Effect.gen(function* () {
            return yield* (yield* SecurityScanner).scan(corpus[0]![1])
          }).pipe(Effect.provide(layer))
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "timeout")
        assert.strictEqual(pids.length, 1)
        assert.deepStrictEqual(yield* waitUntilGone(pids), [])
      }),
    60_000
  )
})
