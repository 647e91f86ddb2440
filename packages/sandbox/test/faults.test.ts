import { GetResourceCommand, ListResourcesCommand, ThrottlingException } from "@aws-sdk/client-cloudcontrol"
import { DescribeTypeCommand } from "@aws-sdk/client-cloudformation"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "../src/index.js"
import { clientsFor } from "./support.js"

const PARAMETER = "AWS::SSM::Parameter"

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
        const outcomes: Array<string> = []
        for (let i = 0; i < 12; i++) {
          outcomes.push(
            await cloudControl.send(new ListResourcesCommand({ TypeName: PARAMETER })).then(
              () => "ok",
              (e: Error) => e.name
            )
          )
        }
        return outcomes
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
