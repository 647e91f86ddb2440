import type { TypeName } from "../model/Ids.js"
import type { JsonObject } from "../model/Json.js"

/** The logical id of the one resource in a plan's template: service and resource, `S3Bucket` for `AWS::S3::Bucket`. */
export const logicalIdFor = (typeName: TypeName): string => {
  const [namespace, service, resource] = typeName.split("::")
  return namespace === "AWS" ? `${service}${resource}` : `${namespace}${service}${resource}`
}

/** The one-resource CloudFormation template a plan is scanned as. */
export const templateFor = (typeName: TypeName, properties: JsonObject): JsonObject => ({
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { [logicalIdFor(typeName)]: { Type: typeName, Properties: properties } }
})
