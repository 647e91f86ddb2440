import { region } from "@ccapi/core"
import { BundledSchemas, MemoryCloud, MemoryTemplateGenerator } from "@ccapi/memory-cloud"
import { FakeIdentity, FakeSecurityScanner } from "@ccapi/testkit"
import {
  identityContract,
  propertyValidatorContract,
  resourceSchemasContract,
  securityScannerContract,
  templateGeneratorContract
} from "@ccapi/testkit/contracts"
import { AjvPropertyValidator } from "@ccapi/validator"
import { type Duration, Layer } from "effect"

resourceSchemasContract("BundledSchemas", { layer: () => BundledSchemas.layerMemory })

identityContract("FakeIdentity", {
  layer: () => FakeIdentity.layerTest(),
  accountId: "123456789012",
  otherRegion: region("eu-west-1")
})

securityScannerContract("FakeSecurityScanner", { layer: () => FakeSecurityScanner.layerTest() })

propertyValidatorContract("AjvPropertyValidator", { layer: () => AjvPropertyValidator.layer })

const cloudAndGenerator = (delay: Duration.Input) => {
  const cloud = MemoryCloud.layerMemory({ completionDelay: delay })
  return Layer.merge(cloud, MemoryTemplateGenerator.layerMemory({ completionDelay: delay }).pipe(Layer.provide(cloud)))
}
templateGeneratorContract("MemoryTemplateGenerator (no delay)", { layer: () => cloudAndGenerator("0 seconds") })
templateGeneratorContract("MemoryTemplateGenerator (3 s delay)", { layer: () => cloudAndGenerator("3 seconds") })
