import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  CreateResourceCommand,
  GetResourceCommand,
  GetResourceRequestStatusCommand
} from "@aws-sdk/client-cloudcontrol"
import { CreateGeneratedTemplateCommand, DescribeGeneratedTemplateCommand } from "@aws-sdk/client-cloudformation"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "../src/index.js"
import { clientsFor, unique, waitForRequest } from "./support.js"

const PARAMETER = "AWS::SSM::Parameter"
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

const stateFile = () => join(mkdtempSync(join(tmpdir(), "ccapi-sandbox-")), "state.json")

const createParameter = async (url: string, name: string) => {
  const { cloudControl } = clientsFor(url)
  const { ProgressEvent } = await cloudControl.send(
    new CreateResourceCommand({
      TypeName: PARAMETER,
      DesiredState: JSON.stringify({ Name: name, Type: "String", Value: "kept" })
    })
  )
  return waitForRequest(cloudControl, ProgressEvent!.RequestToken!)
}

const readParameter = async (url: string, name: string) => {
  const { cloudControl } = clientsFor(url)
  const { ResourceDescription } = await cloudControl.send(
    new GetResourceCommand({ TypeName: PARAMETER, Identifier: name })
  )
  return JSON.parse(ResourceDescription!.Properties!) as Record<string, unknown>
}

/** Polls until `check` holds; the bound is generous because a start from source (tsx) is slow on a loaded machine. */
const until = async (check: () => boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The bin, run from source: one line (the URL) on stdout, logs on stderr. */
const runBin = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@ccapi/source", main, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" }
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  const url = (async () => {
    await until(() => stdout.includes("\n") || child.exitCode !== null, "the sandbox URL").catch(() => undefined)
    if (!stdout.includes("\n")) {
      const vitestAtRuntime = stderr.includes("Vitest failed to access its internal state")
      throw new Error(
        vitestAtRuntime
          ? "ccapi-sandbox cannot start outside vitest: something it loads imports vitest or @effect/vitest (test code such as @ccapi/testkit reached the runtime)."
          : `ccapi-sandbox did not start: ${stderr}`
      )
    }
    return stdout.split("\n")[0]!
  })()
  // A test of a bin that is meant not to start awaits its exit, not its URL: the URL's failure is then nobody's, and
  // must not surface as an unhandled rejection (vitest fails the run for one) while the file's other tests run.
  url.catch(() => undefined)
  return { child: child as ChildProcess, url, exited, output: () => ({ stdout, stderr }) }
}

describe("state file", () => {
  it("a stopped sandbox started again on the same file has every resource, request and generated template", async () => {
    const path = stateFile()
    const name = unique("/ccapi/persist")
    const first = await startSandbox({ statePath: path, completionDelayMs: 50 })
    const { event } = await createParameter(first.url, name)
    const { cloudControl, cloudFormation } = clientsFor(first.url)
    const template = await cloudFormation.send(
      new CreateGeneratedTemplateCommand({
        GeneratedTemplateName: "kept",
        Resources: [{ ResourceType: PARAMETER, ResourceIdentifier: { Name: name } }]
      })
    )
    await first.stop()
    void cloudControl

    const second = await startSandbox({ statePath: path, completionDelayMs: 50 })
    try {
      expect(await readParameter(second.url, name)).toMatchObject({ Name: name, Value: "kept" })
      const again = clientsFor(second.url)
      const status = await again.cloudControl.send(
        new GetResourceRequestStatusCommand({ RequestToken: event.RequestToken! })
      )
      expect(status.ProgressEvent!.OperationStatus).toBe("SUCCESS")
      const described = await again.cloudFormation.send(
        new DescribeGeneratedTemplateCommand({ GeneratedTemplateName: template.GeneratedTemplateId })
      )
      expect(described.GeneratedTemplateName).toBe("kept")
    } finally {
      await second.stop()
    }
  })

  it("is written after a mutation completes, without waiting for a stop", async () => {
    const path = stateFile()
    const name = unique("/ccapi/autosave")
    const sandbox = await startSandbox({ statePath: path, completionDelayMs: 50 })
    try {
      await createParameter(sandbox.url, name)
      const saved = () => {
        try {
          const text = readFileSync(path, "utf8")
          return text.includes(name) && text.includes('"SUCCESS"')
        } catch {
          return false
        }
      }
      await until(saved, "the state file to hold the completed create")
    } finally {
      await sandbox.stop()
    }
  })

  it("refuses to start on a state file that is not sandbox state, naming the file", async () => {
    const path = stateFile()
    const { writeFileSync } = await import("node:fs")
    writeFileSync(path, "{ not json")
    await expect(startSandbox({ statePath: path })).rejects.toThrow(path)
  })
})

describe("the ccapi-sandbox bin", () => {
  it("prints only its URL on stdout, stops cleanly on SIGTERM, and a restart keeps the state", async () => {
    const path = stateFile()
    const name = unique("/ccapi/bin")
    const first = runBin(["--port", "0", "--state", path, "--delay-ms", "50"])
    const url = await first.url
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await createParameter(url, name)
    first.child.kill("SIGTERM")
    expect(await first.exited).toEqual({ code: 0, signal: null })
    expect(first.output().stdout).toBe(`${url}\n`)

    const second = runBin(["--state", path])
    try {
      expect(await readParameter(await second.url, name)).toMatchObject({ Name: name, Value: "kept" })
    } finally {
      second.child.kill("SIGINT")
      expect((await second.exited).code).toBe(0)
    }
  })

  it("killed with SIGKILL, it leaves a readable state file holding every completed mutation", async () => {
    const path = stateFile()
    const names = [1, 2, 3, 4, 5, 6].map((i) => unique(`/ccapi/crash${i}`))
    const first = runBin(["--state", path, "--delay-ms", "20"])
    const url = await first.url
    for (const name of names) await createParameter(url, name)
    await until(() => {
      try {
        const text = readFileSync(path, "utf8")
        return names.every((name) => text.includes(name))
      } catch {
        return false
      }
    }, "the state file to hold every parameter")
    // Keep writing while the process is killed: whatever moment it dies at, the file must stay whole.
    const { cloudControl } = clientsFor(url)
    void cloudControl
      .send(
        new CreateResourceCommand({
          TypeName: PARAMETER,
          DesiredState: JSON.stringify({ Name: unique("/ccapi/inflight"), Type: "String", Value: "x".repeat(4000) })
        })
      )
      .catch(() => undefined)
    first.child.kill("SIGKILL")
    await first.exited
    expect(() => JSON.parse(readFileSync(path, "utf8")) as unknown).not.toThrow()

    const second = runBin(["--state", path])
    try {
      const restarted = await second.url
      for (const name of names) expect(await readParameter(restarted, name)).toMatchObject({ Name: name })
    } finally {
      second.child.kill("SIGTERM")
      await second.exited
    }
  })

  it("rejects an unknown flag with its usage on stderr and exit code 2", async () => {
    const bad = runBin(["--prot", "1"])
    expect((await bad.exited).code).toBe(2)
    expect(bad.output().stdout).toBe("")
    expect(bad.output().stderr).toContain("Usage: ccapi-sandbox")
  })
})
