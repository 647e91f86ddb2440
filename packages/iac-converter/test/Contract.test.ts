import { templateConverterContract } from "@ccapi/testkit/contracts"
import { IacConverter } from "../src/index.js"

templateConverterContract("IacConverter", { layer: () => IacConverter.layer })
