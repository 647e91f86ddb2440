import { CloudControlClient } from "@aws-sdk/client-cloudcontrol"
import { CloudFormationClient } from "@aws-sdk/client-cloudformation"
import { STSClient } from "@aws-sdk/client-sts"
import { mockClient } from "aws-sdk-client-mock"
import { Context, Effect, Layer } from "effect"
import { AwsAdapter, type AwsConfig } from "../src/index.js"

const makeMocks = () => ({
  cc: mockClient(CloudControlClient),
  cfn: mockClient(CloudFormationClient),
  sts: mockClient(STSClient)
})

/** The SDK mocks of one test: installed when the layer is built, restored when it is released. */
export class Mocks extends Context.Service<Mocks, ReturnType<typeof makeMocks>>()("test/Mocks") {}

export const mocksLayer = Layer.effect(
  Mocks,
  Effect.acquireRelease(Effect.sync(makeMocks), (m) =>
    Effect.sync(() => {
      m.cc.restore()
      m.cfn.restore()
      m.sts.restore()
    })
  )
)

/** Static test credentials, one attempt per call, no disk cache: nothing reaches the network. */
export const testOptions = (extra: AwsConfig.AwsAdapterOptions = {}): AwsConfig.AwsAdapterOptions => ({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-real-secret" },
  maxAttempts: 1,
  schemaCache: { directory: false },
  ...extra
})

/** The four AWS ports with mocked SDK clients, fresh per test. */
export const testLayer = (extra: AwsConfig.AwsAdapterOptions = {}) =>
  Layer.merge(AwsAdapter.layer(testOptions(extra)), mocksLayer)

/** The region the client that made a mocked call was configured with. */
export const regionOf = (call: { readonly thisValue: unknown }): Promise<string> =>
  (call.thisValue as { config: { region: () => Promise<string> } }).config.region()

/** An error shaped like the SDK's service exceptions, for codes without an exported class. */
export const serviceError = (code: string, message: string, status = 400, fault: "client" | "server" = "client") =>
  Object.assign(new Error(message), { name: code, $fault: fault, $metadata: { httpStatusCode: status } })
