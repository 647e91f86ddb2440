import { randomBytes } from "node:crypto"
import { CloudControlClient, GetResourceRequestStatusCommand, type ProgressEvent } from "@aws-sdk/client-cloudcontrol"
import { CloudFormationClient } from "@aws-sdk/client-cloudformation"
import { STSClient } from "@aws-sdk/client-sts"

/** Static credentials: the sandbox accepts any. */
export const credentials = { accessKeyId: "AKIDSANDBOXTEST", secretAccessKey: "sandbox-test-secret" }

/** The three real SDK clients, pointed at a sandbox. */
export const clientsFor = (url: string, region = "us-west-2", maxAttempts = 3) => {
  const config = { endpoint: url, region, credentials, maxAttempts }
  return {
    cloudControl: new CloudControlClient(config),
    cloudFormation: new CloudFormationClient(config),
    sts: new STSClient(config)
  }
}

export const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString("hex")}`

/** Poll `GetResourceRequestStatus` until the request completes; every status seen, in order. */
export const waitForRequest = async (
  client: CloudControlClient,
  requestToken: string
): Promise<{ readonly event: ProgressEvent; readonly seen: ReadonlyArray<string> }> => {
  const seen: Array<string> = []
  for (let i = 0; i < 200; i++) {
    const { ProgressEvent: event } = await client.send(
      new GetResourceRequestStatusCommand({ RequestToken: requestToken })
    )
    seen.push(event!.OperationStatus!)
    if (["SUCCESS", "FAILED", "CANCEL_COMPLETE"].includes(event!.OperationStatus!)) return { event: event!, seen }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`request ${requestToken} never completed`)
}
