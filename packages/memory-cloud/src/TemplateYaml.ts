import type { JsonObject } from "@ccapi/core"
import { stringify } from "yaml"

/**
 * A CloudFormation template as YAML that reads back the same under YAML 1.1 and 1.2 (strings such as `yes` or
 * `2010-09-09` are quoted), with no anchors or aliases (CloudFormation does not take them) and no folded lines. Its own
 * entry point (`@ccapi/memory-cloud/TemplateYaml`), so the server's read-only template generator uses it without
 * loading the in-memory cloud.
 */
export const templateYaml = (body: JsonObject): string =>
  stringify(body, { version: "1.1", aliasDuplicateObjects: false, lineWidth: 0 })
