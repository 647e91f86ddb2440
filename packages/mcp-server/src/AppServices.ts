import type {
  ApprovalStore,
  CloudControl,
  Identity,
  Journal,
  PropertyValidator,
  ResourceSchemas,
  SecurityScanner,
  TemplateConverter,
  TemplateGenerator,
  TokenIds,
  WorkflowSettings
} from "@ccapi/core"
import type { ApprovalDesk } from "./approval/ApprovalDesk.js"

/**
 * Every service the use-cases need from the application layer, built once per process and shared by its sessions
 * (each session's own services — id, delete counter, approver — come from its session layer, see Session.ts).
 */
export type AppServices =
  | ApprovalDesk
  | ApprovalStore
  | CloudControl
  | Identity
  | Journal
  | PropertyValidator
  | ResourceSchemas
  | SecurityScanner
  | TemplateConverter
  | TemplateGenerator
  | TokenIds
  | WorkflowSettings
