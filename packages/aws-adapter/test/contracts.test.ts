import { region } from "@ccapi/core"
import {
  cloudControlContract,
  identityContract,
  resourceSchemasContract,
  templateGeneratorContract
} from "@ccapi/testkit/contracts"
import * as MemoryBackedSdk from "./memoryBackedSdk.js"

/** The testkit's contract suites against the real adapters, with the SDK mocked and answered in memory. */

cloudControlContract("AwsCloudControl (SDK mocked)", { layer: () => MemoryBackedSdk.layer() })
cloudControlContract("AwsCloudControl (SDK mocked, 5 s completion delay)", {
  layer: () => MemoryBackedSdk.layer({ completionDelay: "5 seconds" })
})
resourceSchemasContract("AwsResourceSchemas (SDK mocked)", { layer: () => MemoryBackedSdk.layer() })
identityContract("AwsIdentity (SDK mocked)", {
  layer: () => MemoryBackedSdk.layer(),
  accountId: MemoryBackedSdk.accountId,
  otherRegion: region("eu-west-1")
})
templateGeneratorContract("AwsTemplateGenerator (SDK mocked)", { layer: () => MemoryBackedSdk.layer() })
templateGeneratorContract("AwsTemplateGenerator (SDK mocked, 5 s generation)", {
  layer: () => MemoryBackedSdk.layer({ templateDelay: "5 seconds" })
})
