import type { CloudControl, Identity, ResourceSchemas, TemplateGenerator } from "@ccapi/core"
import { Layer } from "effect"
import * as AwsClients from "./AwsClients.js"
import * as AwsCloudControl from "./AwsCloudControl.js"
import * as AwsIdentity from "./AwsIdentity.js"
import * as AwsResourceSchemas from "./AwsResourceSchemas.js"
import * as AwsTemplateGenerator from "./AwsTemplateGenerator.js"

/** Every AWS port the server needs. */
export type AwsPorts = CloudControl | ResourceSchemas | Identity | TemplateGenerator

/** The four ports over settings and clients provided from outside. */
export const layerFromClients = Layer.mergeAll(
  AwsCloudControl.layerFromClients,
  AwsResourceSchemas.layerFromClients,
  AwsIdentity.layerFromClients,
  AwsTemplateGenerator.layerFromClients
)

/**
 * The four AWS ports sharing one credential provider and one client per service and region: `layer(options)` with
 * explicit settings, `layerConfig(options)` with settings read from `Config` (see `AwsConfig.layerConfig`).
 */
export const { layer, layerConfig } = AwsClients.portLayers(layerFromClients)
