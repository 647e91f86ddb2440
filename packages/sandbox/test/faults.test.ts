import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  CreateResourceCommand,
  GetResourceCommand,
  ListResourcesCommand,
  ThrottlingException
} from "@aws-sdk/client-cloudcontrol"
import { DescribeTypeCommand } from "@aws-sdk/client-cloudformation"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "../src/index.js"
import { clientsFor } from "./support.js"

const PARAMETER = "AWS::SSM::Parameter"

/** Twelve ListResources calls in a row: "ok" or the error's name, for each. */
const listOutcomes = async (cloudControl: ReturnType<typeof clientsFor>["cloudControl"]) => {
  const outcomes: Array<string> = []
  for (let i = 0; i < 12; i++)
    outcomes.push(
      await cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER })).then(
        () => "ok",
        (e: Error) => e.name
      )
    )
  return outcomes
}

describe("fault injection, as the SDK sees it", () => {
  it("throttles a share of requests; the SDK retries them and the calls succeed", async () => {
    const sandbox = await startSandbox({ faults: { throttleRate: 0.4, seed: 7 } })
    try {
      const { cloudControl } = clientsFor(sandbox.url, "us-west-2", 10)
      const attempts: Array<number> = []
      for (let i = 0; i < 5; i++) {
        const out = await cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER }))
        attempts.push(out.$metadata.attempts ?? 1)
      }
      expect(attempts.some((n) => n > 1)).toBe(true)
    } finally {
      await sandbox.stop()
    }
  })

  it("throttling on every request reaches the caller as ThrottlingException once the retries are spent", async () => {
    const sandbox = await startSandbox({ faults: { throttleRate: 1 } })
    try {
      const { cloudControl } = clientsFor(sandbox.url, "us-west-2", 2)
      const error = await cloudControl
        .send(new GetResourceCommand({ TypeName: PARAMETER, Identifier: "x" }))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ThrottlingException)
      expect((error as ThrottlingException).$metadata.attempts).toBe(2)
    } finally {
      await sandbox.stop()
    }
  })

  it("answers a share of requests with a 5xx the SDK retries; all of them fail when the share is 1", async () => {
    const sandbox = await startSandbox({ faults: { errorRate: 1 } })
    try {
      const { cloudControl, cloudFormation } = clientsFor(sandbox.url, "us-west-2", 2)
      const error = await cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER })).catch((e: unknown) => e)
      expect((error as Error).name).toBe("ServiceInternalErrorException")
      expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(500)
      expect((error as ThrottlingException).$metadata.attempts).toBe(2)
      const query = await cloudFormation
        .send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName: "AWS::S3::Bucket" }))
        .catch((e: unknown) => e)
      expect((query as Error).name).toBe("InternalFailure")
    } finally {
      await sandbox.stop()
    }
  })

  it("the same seed picks the same requests", async () => {
    const pattern = async () => {
      const sandbox = await startSandbox({ faults: { throttleRate: 0.5, seed: 42 } })
      try {
        const { cloudControl } = clientsFor(sandbox.url, "us-west-2", 1)
        return await listOutcomes(cloudControl)
      } finally {
        await sandbox.stop()
      }
    }
    const first = await pattern()
    expect(first).toContain("ThrottlingException")
    expect(first).toContain("ok")
    expect(await pattern()).toEqual(first)
  })

  it("adds latency to every request", async () => {
    const sandbox = await startSandbox({ faults: { latencyMs: 200 } })
    try {
      const { cloudControl } = clientsFor(sandbox.url)
      const started = Date.now()
      await cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER }))
      expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    } finally {
      await sandbox.stop()
    }
  })

  it("refuses a non-loopback host and rates outside 0–1", async () => {
    await expect(startSandbox({ host: "0.0.0.0" })).rejects.toThrow(/loopback/)
    await expect(startSandbox({ faults: { errorRate: 2 } })).rejects.toThrow(/between 0 and 1/)
  })
})

describe("fault flags on the ccapi-sandbox bin", () => {
  const bin = new URL("../bin/ccapi-sandbox.js", import.meta.url).pathname

  const startBin = (args: ReadonlyArray<string>) =>
    new Promise<{ url: string; child: ChildProcess }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
      let out = ""
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const line = out.split("\n")[0]
        if (out.includes("\n") && line !== undefined) resolve({ url: line.trim(), child })
      })
      child.on("exit", (code) => reject(new Error(`the bin exited with ${String(code)}`)))
    })

  it("--throttle-rate 1 throttles every request; --seed makes the faults repeatable", async () => {
    const { child, url } = await startBin(["--throttle-rate", "1", "--seed", "3"])
    try {
      const { cloudControl } = clientsFor(url, "us-west-2", 1)
      const error = await cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER })).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ThrottlingException)
    } finally {
      child.kill("SIGTERM")
    }
    const pattern = async () => {
      const started = await startBin(["--error-rate", "0.5", "--seed", "11"])
      try {
        const { cloudControl } = clientsFor(started.url, "us-west-2", 1)
        return await listOutcomes(cloudControl)
      } finally {
        started.child.kill("SIGTERM")
      }
    }
    const first = await pattern()
    expect(first).toContain("ServiceInternalErrorException")
    expect(first).toContain("ok")
    expect(await pattern()).toEqual(first)
  }, 60_000)

  it("--drop-rate 1 applies a create and loses its answer; --malformed-rate 1 answers it with a body that is not JSON", async () => {
    for (const [flag, name] of [
      ["--drop-rate", "dropped"],
      ["--malformed-rate", "malformed"]
    ] as const) {
      const state = join(mkdtempSync(join(tmpdir(), "ccapi-sandbox-faults-")), "state.json")
      const { child, url } = await startBin([flag, "1", "--seed", "5", "--state", state, "--delay-ms", "0"])
      const parameter = `/ccapi/faults/${name}`
      try {
        const { cloudControl } = clientsFor(url, "us-west-2", 1)
        const error = await cloudControl
          .send(
            new CreateResourceCommand({
              TypeName: PARAMETER,
              DesiredState: JSON.stringify({ Name: parameter, Type: "String", Value: "v" })
            })
          )
          .then(
            () => undefined,
            (e: unknown) => e
          )
        expect(error, `${flag}: the create's answer was delivered`).toBeInstanceOf(Error)
      } finally {
        child.kill("SIGTERM")
        await new Promise((resolve) => child.once("exit", resolve))
      }
      // The endpoint acted although its answer was lost: the parameter is in the state it saved.
      expect(readFileSync(state, "utf8"), `${flag}: the create was not applied`).toContain(parameter)
    }
  }, 60_000)

  it("a fault rate outside 0–1 ends the bin with exit code 2 and the reason on stderr", async () => {
    const child = spawn(process.execPath, [bin, "--throttle-rate", "2"], { stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    let stdout = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
    expect(code).toBe(2)
    expect(stderr).toContain("--throttle-rate must be a number from 0 to 1, got 2")
    expect(stdout).toBe("")
  })
})
