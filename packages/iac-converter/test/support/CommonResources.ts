/*
 * Common resource types with realistic properties, valid against their provider schemas (the memory cloud checks
 * them when they are created): what the conversions are tested on.
 */

const policy = (statement: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [statement] })

export interface CommonResource {
  readonly typeName: string
  readonly properties: Record<string, unknown>
}

export const commonResources: ReadonlyArray<CommonResource> = [
  {
    typeName: "AWS::S3::Bucket",
    properties: {
      BucketName: "ccapi-convert-bucket",
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true }
        ]
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true
      },
      LifecycleConfiguration: {
        Rules: [{ Id: "expire-logs", Status: "Enabled", Prefix: "logs/", ExpirationInDays: 30 }]
      },
      Tags: [{ Key: "team", Value: "platform" }]
    }
  },
  {
    typeName: "AWS::SQS::Queue",
    properties: {
      QueueName: "ccapi-convert-queue",
      VisibilityTimeout: 45,
      MessageRetentionPeriod: 86400,
      DelaySeconds: 5
    }
  },
  {
    typeName: "AWS::SNS::Topic",
    properties: { TopicName: "ccapi-convert-topic", DisplayName: "Alerts", Tags: [{ Key: "team", Value: "platform" }] }
  },
  {
    typeName: "AWS::DynamoDB::Table",
    properties: {
      TableName: "ccapi-convert-table",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" }
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" }
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true }
    }
  },
  {
    typeName: "AWS::IAM::Role",
    properties: {
      RoleName: "ccapi-convert-role",
      Description: "Lambda execution role",
      AssumeRolePolicyDocument: policy({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole"
      }),
      ManagedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      Policies: [
        {
          PolicyName: "read-bucket",
          PolicyDocument: policy({
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: "arn:aws:s3:::ccapi-convert-bucket/*"
          })
        }
      ]
    }
  },
  {
    typeName: "AWS::Lambda::Function",
    properties: {
      FunctionName: "ccapi-convert-function",
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::123456789012:role/ccapi-convert-role",
      Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200, body: "${ok}" })' },
      MemorySize: 256,
      Timeout: 15,
      Environment: { Variables: { LOG_LEVEL: "info", TABLE_NAME: "ccapi-convert-table" } },
      TracingConfig: { Mode: "Active" }
    }
  },
  {
    typeName: "AWS::Logs::LogGroup",
    properties: { LogGroupName: "/ccapi/convert", RetentionInDays: 14 }
  },
  {
    typeName: "AWS::EC2::VPC",
    properties: {
      CidrBlock: "10.20.0.0/16",
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
      InstanceTenancy: "default",
      Tags: [{ Key: "Name", Value: "ccapi-convert-vpc" }]
    }
  },
  {
    typeName: "AWS::EC2::SecurityGroup",
    properties: {
      GroupDescription: "web tier",
      GroupName: "ccapi-convert-web",
      SecurityGroupIngress: [
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "10.0.0.0/8", Description: "HTTPS inside" }
      ],
      Tags: [{ Key: "tier", Value: "web" }]
    }
  },
  {
    typeName: "AWS::KMS::Key",
    properties: {
      Description: "ccapi convert key",
      EnableKeyRotation: true,
      KeyPolicy: policy({
        Sid: "root",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "kms:*",
        Resource: "*"
      })
    }
  },
  {
    typeName: "AWS::ECR::Repository",
    properties: {
      RepositoryName: "ccapi-convert-repo",
      ImageTagMutability: "IMMUTABLE",
      ImageScanningConfiguration: { ScanOnPush: true }
    }
  },
  {
    typeName: "AWS::SSM::Parameter",
    properties: {
      Name: "/ccapi/convert/setting",
      Type: "String",
      Value: "on",
      Description: "a setting",
      Tags: { team: "platform", "cost-center": "42" }
    }
  },
  {
    typeName: "AWS::Events::Rule",
    properties: {
      Name: "ccapi-convert-rule",
      Description: "object created",
      State: "ENABLED",
      EventPattern: { source: ["aws.s3"], "detail-type": ["Object Created"] }
    }
  },
  {
    typeName: "AWS::StepFunctions::StateMachine",
    properties: {
      StateMachineName: "ccapi-convert-machine",
      RoleArn: "arn:aws:iam::123456789012:role/ccapi-convert-role",
      Definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } }
    }
  },
  {
    typeName: "AWS::SecretsManager::Secret",
    properties: {
      Name: "ccapi/convert/secret",
      Description: "generated",
      GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true }
    }
  },
  {
    typeName: "AWS::ECS::Cluster",
    properties: {
      ClusterName: "ccapi-convert-cluster",
      ClusterSettings: [{ Name: "containerInsights", Value: "enabled" }]
    }
  },
  {
    typeName: "AWS::CloudWatch::Alarm",
    properties: {
      AlarmName: "ccapi-convert-errors",
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Dimensions: [{ Name: "FunctionName", Value: "ccapi-convert-function" }]
    }
  },
  {
    typeName: "AWS::Kinesis::Stream",
    properties: { Name: "ccapi-convert-stream", ShardCount: 1, RetentionPeriodHours: 48 }
  },
  {
    typeName: "AWS::ApiGateway::RestApi",
    properties: { Name: "ccapi-convert-api", Description: "public API", EndpointConfiguration: { Types: ["REGIONAL"] } }
  }
]
