export * as IacConverter from "./IacConverter.js"
export { attributeName, resourceTypeName } from "./internal/AwsccNaming.js"
export { stackClassName } from "./CdkFromCfn.js"
