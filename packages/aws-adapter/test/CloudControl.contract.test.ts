import { cloudControlContract } from "@ccapi/testkit"
import * as MemoryBackedSdk from "./memoryBackedSdk.js"

cloudControlContract("AwsCloudControl (SDK mocked, in-memory answers)", { layer: () => MemoryBackedSdk.layer() })
cloudControlContract("AwsCloudControl (SDK mocked, 5 s completion delay)", {
  layer: () => MemoryBackedSdk.layer({ completionDelay: "5 seconds" })
})
