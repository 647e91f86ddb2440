import type { ApprovalStore } from "../ports/ApprovalStore.js"
import type { CloudControl } from "../ports/CloudControl.js"
import type { Identity } from "../ports/Identity.js"
import type { Journal } from "../ports/Journal.js"
import type { PropertyValidator } from "../ports/PropertyValidator.js"
import type { ResourceSchemas } from "../ports/ResourceSchemas.js"
import type { SecurityScanner } from "../ports/SecurityScanner.js"
import type { TokenIds } from "../ports/TokenIds.js"
import type { WorkflowSettings } from "../workflow/Settings.js"

/**
 * The services the workflow's use-cases (session, planning, mutations, reads, reconciliation) need from the process,
 * shared by all its sessions. Each session adds its own `SessionState` and `Approver`; templates also need a
 * `TemplateGenerator` and a `TemplateConverter`.
 */
export type WorkflowServices =
  | ApprovalStore
  | CloudControl
  | Identity
  | Journal
  | PropertyValidator
  | ResourceSchemas
  | SecurityScanner
  | TokenIds
  | WorkflowSettings
