import { MemoryCloud } from "@ccapi/memory-cloud"
import { cloudControlContract } from "@ccapi/testkit/contracts"

cloudControlContract("MemoryCloud (no delay)", { layer: () => MemoryCloud.layerMemory() })
cloudControlContract("MemoryCloud (5 s completion delay)", {
  layer: () => MemoryCloud.layerMemory({ completionDelay: "5 seconds" })
})
