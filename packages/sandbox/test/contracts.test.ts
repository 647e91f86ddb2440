import { region } from "@ccapi/core"
import { AwsAdapter } from "@ccapi/aws-adapter"
import {
  cloudControlContract,
  identityContract,
  resourceSchemasContract,
  templateGeneratorContract,
  type Timing
} from "@ccapi/testkit/contracts"
import { afterAll } from "@effect/vitest"
import { startSandbox } from "../src/index.js"
import { credentials } from "./support.js"

/** The testkit's contract suites against the real AWS adapter, talking HTTP to a sandbox on a loopback port. */

const sandbox = await startSandbox({ completionDelayMs: 100 })
afterAll(() => sandbox.stop())

const adapter = () =>
  AwsAdapter.layer({
    endpoint: sandbox.url,
    credentials,
    region: "us-east-1",
    sandbox: true,
    schemaCache: { directory: false }
  })
const live: Timing = { live: true, pollInterval: "50 millis", maxPolls: 200 }

cloudControlContract("AwsCloudControl → HTTP → sandbox", { ...live, layer: adapter })
resourceSchemasContract("AwsResourceSchemas → HTTP → sandbox", { ...live, layer: adapter })
identityContract("AwsIdentity → HTTP → sandbox", {
  ...live,
  layer: adapter,
  accountId: "123456789012",
  otherRegion: region("eu-west-1")
})
templateGeneratorContract("AwsTemplateGenerator → HTTP → sandbox", { ...live, layer: adapter })
