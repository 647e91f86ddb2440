import { assert, describe, it } from "@effect/vitest"
import { attributeName, resourceTypeName } from "../src/index.js"

/*
 * The names are checked against the awscc provider's own: its naming tests (internal/naming) and attribute and
 * resource names from its documentation, not against this implementation.
 */

describe("awscc attribute names", () => {
  it("match the provider's naming tests", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["", ""],
      ["  ", ""],
      ["Arn", "arn"],
      ["GlobalReplicationGroupDescription", "global_replication_group_description"],
      ["S3Bucket", "s3_bucket"],
      ["AWS99Thing", "aws99_thing"],
      ["CloudWatchLogsLogGroupArn", "cloudwatch_logs_log_group_arn"]
    ]
    for (const [property, attribute] of cases) assert.strictEqual(attributeName(property), attribute, property)
  })

  it("match the provider's documented attributes, acronyms and digits included", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["BucketName", "bucket_name"],
      ["VpcId", "vpc_id"],
      ["VPCId", "vpc_id"],
      ["SSESpecification", "sse_specification"],
      ["SSEAlgorithm", "sse_algorithm"],
      ["KMSMasterKeyID", "kms_master_key_id"],
      ["PointInTimeRecoverySpecification", "point_in_time_recovery_specification"],
      ["Ipv4IpamPoolId", "ipv_4_ipam_pool_id"],
      ["CidrBlock", "cidr_block"],
      ["EnableDnsHostnames", "enable_dns_hostnames"],
      ["MessageRetentionPeriod", "message_retention_period"],
      ["AssumeRolePolicyDocument", "assume_role_policy_document"],
      ["ManagedPolicyArns", "managed_policy_arns"],
      ["FSxWindowsFileServerVolumeConfiguration", "fsx_windows_file_server_volume_configuration"],
      ["CloudFrontOriginAccessIdentityConfig", "cloudfront_origin_access_identity_config"]
    ]
    for (const [property, attribute] of cases) assert.strictEqual(attributeName(property), attribute, property)
  })
})

describe("awscc resource type names", () => {
  it("match the provider's resource names", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["AWS::S3::Bucket", "awscc_s3_bucket"],
      ["AWS::EC2::VPC", "awscc_ec2_vpc"],
      ["AWS::EC2::VPCEndpoint", "awscc_ec2_vpc_endpoint"],
      ["AWS::IAM::OIDCProvider", "awscc_iam_oidc_provider"],
      ["AWS::AppSync::GraphQLApi", "awscc_appsync_graph_ql_api"],
      ["AWS::ApiGateway::BasePathMappingV2", "awscc_apigateway_base_path_mapping_v2"],
      ["AWS::ApplicationAutoScaling::ScalableTarget", "awscc_applicationautoscaling_scalable_target"],
      ["AWS::ARCZonalShift::ZonalAutoshiftConfiguration", "awscc_arczonalshift_zonal_autoshift_configuration"],
      ["AWS::DynamoDB::Table", "awscc_dynamodb_table"],
      ["AWS::StepFunctions::StateMachine", "awscc_stepfunctions_state_machine"],
      ["AWS::CloudWatch::Alarm", "awscc_cloudwatch_alarm"]
    ]
    for (const [typeName, resource] of cases) assert.strictEqual(resourceTypeName(typeName), resource, typeName)
  })

  it("has none for a type that is not AWS::*", () => {
    assert.isUndefined(resourceTypeName("Custom::Thing"))
    assert.isUndefined(resourceTypeName("Alexa::ASK::Skill"))
  })
})
