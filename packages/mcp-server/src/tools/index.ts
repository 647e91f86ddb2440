import { check_environment_variables } from "./check_environment_variables.js"
import { create_resource } from "./create_resource.js"
import { create_template } from "./create_template.js"
import { delete_resource } from "./delete_resource.js"
import { explain } from "./explain.js"
import { generate_infrastructure_code } from "./generate_infrastructure_code.js"
import { get_aws_account_info } from "./get_aws_account_info.js"
import { get_aws_session_info } from "./get_aws_session_info.js"
import { get_resource } from "./get_resource.js"
import { get_resource_request_status } from "./get_resource_request_status.js"
import { get_resource_schema_information } from "./get_resource_schema_information.js"
import { list_resources } from "./list_resources.js"
import { run_checkov } from "./run_checkov.js"
import { update_resource } from "./update_resource.js"

/** The reference's 14 tools, in its order of use. */
export const tools = [
  check_environment_variables,
  get_aws_session_info,
  get_aws_account_info,
  generate_infrastructure_code,
  explain,
  run_checkov,
  create_resource,
  update_resource,
  delete_resource,
  get_resource,
  list_resources,
  get_resource_schema_information,
  get_resource_request_status,
  create_template
] as const
