import { cloudControlContract, MemoryCloud } from "@ccapi/testkit"

cloudControlContract("MemoryCloud (no delay)", { layer: () => MemoryCloud.layerMemory() })
cloudControlContract("MemoryCloud (5 s completion delay)", {
  layer: () => MemoryCloud.layerMemory({ completionDelay: "5 seconds" })
})
