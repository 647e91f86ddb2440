import { SecurityScanner } from "@ccapi/core"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { CheckovScanner } from "../src/index.js"
import { fakeCheckov, makeFakeDir, removeFakeDir, reportJson } from "./fakes.js"

const dir = makeFakeDir()
afterAll(() => removeFakeDir(dir))

const bucket = { Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: {} } } }

describe("concurrent scans are bounded", () => {
  it.effect("at most maxConcurrent Checkov processes at once; past the queue a scan is told the scanner is busy", () =>
    Effect.gen(function* () {
      // A slow Checkov that passes one check; it records how many of it run at once.
      const report = JSON.stringify({ ...reportJson([], [["CKV_AWS_19", "AWS::S3::Bucket.Bucket"]]), url: "" })
      const bin = fakeCheckov(dir, "slow-pass", `sleep 1\necho '${report}'`)
      const alive = new Set<number>()
      let most = 0
      let spawned = 0
      const scanner = yield* Effect.provide(
        SecurityScanner,
        CheckovScanner.layer({
          bin,
          maxConcurrent: 2,
          maxQueued: 1,
          onSpawn: (pid) => {
            spawned += 1
            alive.add(pid)
            most = Math.max(most, alive.size)
            setTimeout(() => alive.delete(pid), 900)
          }
        })
      )
      const results = yield* Effect.all(
        Array.from({ length: 6 }, () => Effect.result(scanner.scan(bucket as never))),
        { concurrency: "unbounded" }
      )
      const passed = results.filter(Result.isSuccess)
      const busy = results.filter((r) => Result.isFailure(r) && r.failure._tag === "ScannerUnavailable")
      assert.strictEqual(
        passed.length,
        3,
        JSON.stringify(results.map((r) => (Result.isFailure(r) ? r.failure.message : "ok")))
      )
      assert.strictEqual(busy.length, 3)
      for (const r of busy) if (Result.isFailure(r)) assert.match(r.failure.message, /busy.*again in a few seconds/)
      assert.strictEqual(spawned, 3)
      assert.isAtMost(most, 2)
      // Once the queue drains, scans are admitted again.
      assert.isTrue(Result.isSuccess(yield* Effect.result(scanner.scan(bucket as never))))
    })
  )
})
