import type { CloudControl, Identity, ResourceSchemas, TemplateGenerator } from "@ccapi/core"
import { type Config, Layer } from "effect"
import * as AwsClients from "./AwsClients.js"
import * as AwsCloudControl from "./AwsCloudControl.js"
import * as AwsConfig from "./AwsConfig.js"
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

/** The four AWS ports sharing one credential provider and one client per service and region. */
export const layer = (options: AwsConfig.AwsAdapterOptions = {}): Layer.Layer<AwsPorts> =>
  layerFromClients.pipe(Layer.provide(AwsClients.layer), Layer.provide(AwsConfig.layer(options)))

/** The four AWS ports with settings read from `Config` (see `AwsConfig.layerConfig`). */
export const layerConfig = (options: AwsConfig.AwsAdapterOptions = {}): Layer.Layer<AwsPorts, Config.ConfigError> =>
  layerFromClients.pipe(Layer.provide(AwsClients.layer), Layer.provide(AwsConfig.layerConfig(options)))
