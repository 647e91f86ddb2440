import {
  ClientToken,
  identifier,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  region as makeRegion,
  type ResourceSchema,
  typeName as makeTypeName
} from "@ccapi/core"
import { BundledSchemas, MemoryCloud } from "@ccapi/memory-cloud"
import { AjvPropertyValidator } from "@ccapi/validator"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"

/*
 * Each common type is created with a minimal desired state; its identifier and every read-only attribute its schema
 * names are checked against the format AWS documents (the ARN formats of the Service Authorization Reference, the
 * "Return values" of each type's CloudFormation page), against its own schema's patterns, and against the patterns
 * of the properties of other schemas that take it (relationshipRef, and the consumers listed below). Resources that
 * consume others are really created with the generated values, so the schemas' own validation accepts them.
 * The cases run in order: later ones use what earlier ones made.
 */

const A = "123456789012"
const R = "us-east-1"
const region = makeRegion(R)
const gen = (prefix: string) => `${prefix}-[a-z0-9]{12}`
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

type Expectation = RegExp | JsonValue | ((value: JsonValue | undefined) => boolean)

interface Case {
  readonly typeName: string
  readonly desired: (made: Made) => JsonObject
  readonly identifier: RegExp
  /** Every read-only pointer of the schema (and any other filled-in property worth checking). */
  readonly attributes: Readonly<Record<string, Expectation>>
  /** Read-only pointers AWS reports only in a configuration this case does not use, with the reason. */
  readonly conditional?: Readonly<Record<string, string>>
  /** Properties of other types that take one of this type's values: [attribute, consumer type, consumer pointer]. */
  readonly consumers?: ReadonlyArray<readonly [string, string, string]>
}

type Made = Record<string, JsonObject & { readonly identifier: string }>

const assumeRole = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]
}
const arnRe = (service: string, resource: string, withRegion = true) =>
  new RegExp(`^arn:aws:${service}:${withRegion ? R : ""}:${A}:${resource}$`)

const cases: ReadonlyArray<Case> = [
  {
    typeName: "AWS::IAM::Role",
    desired: () => ({ Path: "/service/", AssumeRolePolicyDocument: assumeRole }),
    identifier: new RegExp(`^${gen("role")}$`),
    attributes: {
      "/properties/Arn": arnRe("iam", `role/service/${gen("role")}`, false),
      "/properties/RoleId": /^AROA[A-Z0-9]{17}$/
    },
    consumers: [
      ["Arn", "AWS::Lambda::Function", "/properties/Role"],
      ["Arn", "AWS::StepFunctions::StateMachine", "/properties/RoleArn"],
      ["Arn", "AWS::ECS::TaskDefinition", "/properties/ExecutionRoleArn"],
      ["Arn", "AWS::EKS::Cluster", "/properties/RoleArn"]
    ]
  },
  {
    typeName: "AWS::IAM::User",
    desired: () => ({}),
    identifier: new RegExp(`^${gen("user")}$`),
    attributes: { "/properties/Arn": arnRe("iam", `user/${gen("user")}`, false) }
  },
  {
    typeName: "AWS::IAM::Group",
    desired: () => ({ Path: "/team/" }),
    identifier: new RegExp(`^${gen("group")}$`),
    attributes: { "/properties/Arn": arnRe("iam", `group/team/${gen("group")}`, false) }
  },
  {
    typeName: "AWS::IAM::InstanceProfile",
    desired: (m) => ({ Roles: [m["AWS::IAM::Role"]!.identifier] }),
    identifier: new RegExp(`^${gen("instanceprofile")}$`),
    attributes: { "/properties/Arn": arnRe("iam", `instance-profile/${gen("instanceprofile")}`, false) }
  },
  {
    typeName: "AWS::IAM::ManagedPolicy",
    desired: () => ({
      PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }
    }),
    identifier: arnRe("iam", `policy/${gen("managedpolicy")}`, false),
    attributes: {
      "/properties/PolicyArn": arnRe("iam", `policy/${gen("managedpolicy")}`, false),
      "/properties/PolicyId": /^ANPA[A-Z0-9]{17}$/,
      "/properties/AttachmentCount": 0,
      "/properties/PermissionsBoundaryUsageCount": 0,
      "/properties/IsAttachable": true,
      "/properties/DefaultVersionId": /^v1$/,
      "/properties/CreateDate": ISO,
      "/properties/UpdateDate": ISO
    }
  },
  {
    typeName: "AWS::S3::Bucket",
    desired: () => ({}),
    identifier: /^bucket-[a-z0-9]{12}$/,
    attributes: {
      "/properties/Arn": /^arn:aws:s3:::bucket-[a-z0-9]{12}$/,
      "/properties/DomainName": /^bucket-[a-z0-9]{12}\.s3\.amazonaws\.com$/,
      "/properties/DualStackDomainName": new RegExp(`^bucket-[a-z0-9]{12}\\.s3\\.dualstack\\.${R}\\.amazonaws\\.com$`),
      "/properties/RegionalDomainName": new RegExp(`^bucket-[a-z0-9]{12}\\.s3\\.${R}\\.amazonaws\\.com$`),
      "/properties/WebsiteURL": new RegExp(`^http://bucket-[a-z0-9]{12}\\.s3-website-${R}\\.amazonaws\\.com$`)
    },
    conditional: {
      "/properties/MetadataTableConfiguration": "only with a metadata table configuration",
      "/properties/MetadataConfiguration": "only with a metadata configuration"
    }
  },
  {
    typeName: "AWS::SQS::Queue",
    desired: () => ({}),
    identifier: new RegExp(`^https://sqs\\.${R}\\.amazonaws\\.com/${A}/${gen("queue")}$`),
    attributes: {
      "/properties/QueueUrl": new RegExp(`^https://sqs\\.${R}\\.amazonaws\\.com/${A}/${gen("queue")}$`),
      "/properties/Arn": arnRe("sqs", gen("queue")),
      "/properties/QueueName": new RegExp(`^${gen("queue")}$`)
    },
    consumers: [["Arn", "AWS::Lambda::EventSourceMapping", "/properties/EventSourceArn"]]
  },
  {
    typeName: "AWS::SQS::QueuePolicy",
    desired: (m) => ({
      Queues: [m["AWS::SQS::Queue"]!.identifier],
      PolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }]
      }
    }),
    identifier: /^[A-Za-z0-9]{13}$/,
    attributes: { "/properties/Id": /^[A-Za-z0-9]{13}$/ }
  },
  {
    typeName: "AWS::SNS::Topic",
    desired: () => ({}),
    identifier: arnRe("sns", gen("topic")),
    attributes: { "/properties/TopicArn": arnRe("sns", gen("topic")) }
  },
  {
    typeName: "AWS::SNS::Subscription",
    desired: (m) => ({
      TopicArn: m["AWS::SNS::Topic"]!.identifier,
      Protocol: "sqs",
      Endpoint: String(m["AWS::SQS::Queue"]!["Arn"])
    }),
    identifier: new RegExp(`^arn:aws:sns:${R}:${A}:${gen("topic")}:[0-9a-f-]{36}$`),
    attributes: { "/properties/Arn": new RegExp(`^arn:aws:sns:${R}:${A}:${gen("topic")}:[0-9a-f-]{36}$`) }
  },
  {
    typeName: "AWS::KMS::Key",
    desired: () => ({}),
    identifier: UUID,
    attributes: {
      "/properties/KeyId": UUID,
      "/properties/Arn": arnRe("kms", "key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    },
    consumers: [
      ["Arn", "AWS::Logs::LogGroup", "/properties/KmsKeyId"],
      ["KeyId", "AWS::KMS::Alias", "/properties/TargetKeyId"],
      ["KeyId", "AWS::SQS::Queue", "/properties/KmsMasterKeyId"]
    ]
  },
  {
    typeName: "AWS::KMS::Alias",
    desired: (m) => ({ AliasName: "alias/ccapi-test", TargetKeyId: m["AWS::KMS::Key"]!.identifier }),
    identifier: /^alias\/ccapi-test$/,
    attributes: {}
  },
  {
    typeName: "AWS::Logs::LogGroup",
    desired: (m) => ({ KmsKeyId: String(m["AWS::KMS::Key"]!["Arn"]) }),
    identifier: new RegExp(`^${gen("loggroup")}$`),
    attributes: { "/properties/Arn": arnRe("logs", `log-group:${gen("loggroup")}:\\*`) }
  },
  {
    typeName: "AWS::Lambda::Function",
    desired: (m) => ({
      Role: String(m["AWS::IAM::Role"]!["Arn"]),
      Runtime: "nodejs20.x",
      Code: { ZipFile: "exports.handler = async () => 1" }
    }),
    identifier: new RegExp(`^${gen("function")}$`),
    attributes: {
      "/properties/Arn": arnRe("lambda", `function:${gen("function")}`),
      "/properties/SnapStartResponse": { ApplyOn: "None", OptimizationStatus: "Off" },
      "/properties/SnapStartResponse/ApplyOn": "None",
      "/properties/SnapStartResponse/OptimizationStatus": "Off"
    },
    consumers: [
      ["Arn", "AWS::Lambda::Url", "/properties/TargetFunctionArn"],
      ["Arn", "AWS::Lambda::Permission", "/properties/FunctionName"],
      ["Arn", "AWS::Lambda::EventSourceMapping", "/properties/FunctionName"]
    ]
  },
  {
    typeName: "AWS::Lambda::Url",
    desired: (m) => ({ TargetFunctionArn: String(m["AWS::Lambda::Function"]!["Arn"]), AuthType: "AWS_IAM" }),
    identifier: arnRe("lambda", `function:${gen("function")}`),
    attributes: {
      "/properties/FunctionArn": arnRe("lambda", `function:${gen("function")}`),
      "/properties/FunctionUrl": new RegExp(`^https://[a-z0-9]{32}\\.lambda-url\\.${R}\\.on\\.aws/$`)
    }
  },
  {
    typeName: "AWS::DynamoDB::Table",
    desired: () => ({
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      StreamSpecification: { StreamViewType: "NEW_IMAGE" }
    }),
    identifier: new RegExp(`^${gen("table")}$`),
    attributes: {
      "/properties/Arn": arnRe("dynamodb", `table/${gen("table")}`),
      "/properties/StreamArn": arnRe("dynamodb", `table/${gen("table")}/stream/\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z?`)
    }
  },
  {
    typeName: "AWS::EC2::VPC",
    desired: () => ({ CidrBlock: "10.0.0.0/16" }),
    identifier: /^vpc-[0-9a-f]{17}$/,
    attributes: {
      "/properties/VpcId": /^vpc-[0-9a-f]{17}$/,
      "/properties/DefaultNetworkAcl": /^acl-[0-9a-f]{17}$/,
      "/properties/DefaultSecurityGroup": /^sg-[0-9a-f]{17}$/,
      "/properties/CidrBlockAssociations": (v) =>
        Array.isArray(v) && v.length === 1 && /^vpc-cidr-assoc-[0-9a-f]{17}$/.test(String(v[0]))
    },
    conditional: { "/properties/Ipv6CidrBlocks": "only with an IPv6 CIDR block (AWS::EC2::VPCCidrBlock)" },
    consumers: [
      ["VpcId", "AWS::EC2::Subnet", "/properties/VpcId"],
      ["VpcId", "AWS::EC2::SecurityGroup", "/properties/VpcId"]
    ]
  },
  {
    typeName: "AWS::EC2::Subnet",
    desired: (m) => ({ VpcId: m["AWS::EC2::VPC"]!.identifier, CidrBlock: "10.0.1.0/24" }),
    identifier: /^subnet-[0-9a-f]{17}$/,
    attributes: {
      "/properties/SubnetId": /^subnet-[0-9a-f]{17}$/,
      "/properties/NetworkAclAssociationId": /^aclassoc-[0-9a-f]{17}$/,
      "/properties/AvailabilityZone": new RegExp(`^${R}[a-f]$`),
      "/properties/BlockPublicAccessStates": { InternetGatewayBlockMode: "off" }
    },
    conditional: { "/properties/Ipv6CidrBlocks": "only in a subnet with IPv6" }
  },
  {
    typeName: "AWS::EC2::SecurityGroup",
    desired: (m) => ({ GroupDescription: "test", VpcId: m["AWS::EC2::VPC"]!.identifier }),
    identifier: /^sg-[0-9a-f]{17}$/,
    attributes: { "/properties/Id": /^sg-[0-9a-f]{17}$/, "/properties/GroupId": /^sg-[0-9a-f]{17}$/ }
  },
  {
    typeName: "AWS::EC2::InternetGateway",
    desired: () => ({}),
    identifier: /^igw-[0-9a-f]{17}$/,
    attributes: { "/properties/InternetGatewayId": /^igw-[0-9a-f]{17}$/ }
  },
  {
    typeName: "AWS::EC2::RouteTable",
    desired: (m) => ({ VpcId: m["AWS::EC2::VPC"]!.identifier }),
    identifier: /^rtb-[0-9a-f]{17}$/,
    attributes: { "/properties/RouteTableId": /^rtb-[0-9a-f]{17}$/ }
  },
  {
    typeName: "AWS::EC2::EIP",
    desired: () => ({ Domain: "vpc" }),
    identifier: /^3\.\d{1,3}\.\d{1,3}\.\d{1,3}\|eipalloc-[0-9a-f]{17}$/,
    attributes: {
      "/properties/PublicIp": /^3\.\d{1,3}\.\d{1,3}\.\d{1,3}$/,
      "/properties/AllocationId": /^eipalloc-[0-9a-f]{17}$/
    }
  },
  {
    typeName: "AWS::EC2::LaunchTemplate",
    desired: () => ({ LaunchTemplateData: { InstanceType: "t3.micro" } }),
    identifier: /^lt-[0-9a-f]{17}$/,
    attributes: {
      "/properties/LaunchTemplateId": /^lt-[0-9a-f]{17}$/,
      "/properties/DefaultVersionNumber": /^1$/,
      "/properties/LatestVersionNumber": /^1$/
    }
  },
  {
    typeName: "AWS::EC2::KeyPair",
    desired: () => ({ KeyName: "ccapi-key" }),
    identifier: /^ccapi-key$/,
    attributes: {
      "/properties/KeyPairId": /^key-[0-9a-f]{17}$/,
      "/properties/KeyFingerprint": /^([0-9a-f]{2}:){19}[0-9a-f]{2}$/
    }
  },
  {
    typeName: "AWS::ECR::Repository",
    desired: () => ({}),
    identifier: new RegExp(`^${gen("repository")}$`),
    attributes: {
      "/properties/Arn": arnRe("ecr", `repository/${gen("repository")}`),
      "/properties/RepositoryUri": new RegExp(`^${A}\\.dkr\\.ecr\\.${R}\\.amazonaws\\.com/${gen("repository")}$`)
    }
  },
  {
    typeName: "AWS::ECS::Cluster",
    desired: () => ({}),
    identifier: new RegExp(`^${gen("cluster")}$`),
    attributes: { "/properties/Arn": arnRe("ecs", `cluster/${gen("cluster")}`) },
    consumers: [["Arn", "AWS::ECS::Service", "/properties/Cluster"]]
  },
  {
    typeName: "AWS::ECS::TaskDefinition",
    desired: (m) => ({
      ExecutionRoleArn: String(m["AWS::IAM::Role"]!["Arn"]),
      ContainerDefinitions: [{ Name: "app", Image: "nginx" }],
      Memory: "512"
    }),
    identifier: arnRe("ecs", `task-definition/${gen("taskdefinition")}:1`),
    attributes: { "/properties/TaskDefinitionArn": arnRe("ecs", `task-definition/${gen("taskdefinition")}:1`) }
  },
  {
    typeName: "AWS::ECS::Service",
    desired: (m) => ({
      Cluster: String(m["AWS::ECS::Cluster"]!["Arn"]),
      TaskDefinition: m["AWS::ECS::TaskDefinition"]!.identifier
    }),
    identifier: new RegExp(
      `^arn:aws:ecs:${R}:${A}:service/${gen("cluster")}/${gen("service")}\\|arn:aws:ecs:${R}:${A}:cluster/${gen("cluster")}$`
    ),
    attributes: {
      "/properties/ServiceArn": arnRe("ecs", `service/${gen("cluster")}/${gen("service")}`),
      "/properties/Name": new RegExp(`^${gen("service")}$`)
    }
  },
  {
    typeName: "AWS::Events::EventBus",
    desired: () => ({ Name: "ccapi-bus" }),
    identifier: /^ccapi-bus$/,
    attributes: { "/properties/Arn": arnRe("events", "event-bus/ccapi-bus") }
  },
  {
    typeName: "AWS::Events::Rule",
    desired: (m) => ({
      EventPattern: { source: ["aws.s3"] },
      Targets: [{ Id: "queue", Arn: String(m["AWS::SQS::Queue"]!["Arn"]) }]
    }),
    identifier: arnRe("events", `rule/${gen("rule")}`),
    attributes: { "/properties/Arn": arnRe("events", `rule/${gen("rule")}`) }
  },
  {
    typeName: "AWS::StepFunctions::StateMachine",
    desired: (m) => ({
      RoleArn: String(m["AWS::IAM::Role"]!["Arn"]),
      DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}'
    }),
    identifier: arnRe("states", `stateMachine:${gen("statemachine")}`),
    attributes: {
      "/properties/Arn": arnRe("states", `stateMachine:${gen("statemachine")}`),
      "/properties/Name": new RegExp(`^${gen("statemachine")}$`),
      "/properties/StateMachineRevisionId": arnRe("states", `stateMachine:${gen("statemachine")}`)
    }
  },
  {
    typeName: "AWS::SecretsManager::Secret",
    desired: () => ({ Name: "prod/db", GenerateSecretString: {} }),
    identifier: arnRe("secretsmanager", "secret:prod/db-[A-Za-z0-9]{6}"),
    attributes: { "/properties/Id": arnRe("secretsmanager", "secret:prod/db-[A-Za-z0-9]{6}") }
  },
  {
    typeName: "AWS::SSM::Parameter",
    desired: () => ({ Type: "String", Value: "v" }),
    identifier: new RegExp(`^${gen("parameter")}$`),
    attributes: {}
  },
  {
    typeName: "AWS::Kinesis::Stream",
    desired: () => ({ ShardCount: 1 }),
    identifier: new RegExp(`^${gen("stream")}$`),
    attributes: { "/properties/Arn": arnRe("kinesis", `stream/${gen("stream")}`) },
    conditional: { "/properties/WarmThroughputObject": "only for a stream with warm throughput" }
  },
  {
    typeName: "AWS::CloudWatch::Alarm",
    desired: () => ({
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 1,
      Threshold: 1,
      MetricName: "Errors",
      Namespace: "AWS/Lambda",
      Period: 60,
      Statistic: "Sum"
    }),
    identifier: new RegExp(`^${gen("alarm")}$`),
    attributes: { "/properties/Arn": arnRe("cloudwatch", `alarm:${gen("alarm")}`) }
  },
  {
    typeName: "AWS::ApiGateway::RestApi",
    desired: () => ({ Name: "api" }),
    identifier: /^[a-z0-9]{10}$/,
    attributes: { "/properties/RestApiId": /^[a-z0-9]{10}$/, "/properties/RootResourceId": /^[a-z0-9]{10}$/ }
  },
  {
    typeName: "AWS::ApiGateway::Stage",
    desired: (m) => ({
      RestApiId: m["AWS::ApiGateway::RestApi"]!.identifier,
      StageName: "prod",
      DeploymentId: "abc123"
    }),
    identifier: /^[a-z0-9]{10}\|prod$/,
    attributes: {}
  },
  {
    typeName: "AWS::EFS::FileSystem",
    desired: () => ({}),
    identifier: /^fs-[0-9a-f]{17}$/,
    attributes: {
      "/properties/FileSystemId": /^fs-[0-9a-f]{17}$/,
      "/properties/Arn": arnRe("elasticfilesystem", "file-system/fs-[0-9a-f]{17}")
    },
    conditional: { "/properties/ReplicationConfiguration": "only with a replication configuration" }
  },
  {
    typeName: "AWS::ElasticLoadBalancingV2::TargetGroup",
    desired: (m) => ({ Port: 80, Protocol: "HTTP", VpcId: m["AWS::EC2::VPC"]!.identifier }),
    identifier: arnRe("elasticloadbalancing", "targetgroup/tg-[a-z0-9]{12}/[0-9a-f]{16}"),
    attributes: {
      "/properties/TargetGroupArn": arnRe("elasticloadbalancing", "targetgroup/tg-[a-z0-9]{12}/[0-9a-f]{16}"),
      "/properties/TargetGroupName": /^tg-[a-z0-9]{12}$/,
      "/properties/TargetGroupFullName": /^targetgroup\/tg-[a-z0-9]{12}\/[0-9a-f]{16}$/,
      "/properties/LoadBalancerArns": []
    }
  },
  {
    typeName: "AWS::RDS::DBInstance",
    desired: () => ({
      Engine: "mysql",
      DBInstanceClass: "db.t3.micro",
      AllocatedStorage: "20",
      MasterUsername: "admin",
      MasterUserPassword: "change-me-please"
    }),
    identifier: new RegExp(`^${gen("dbinstance")}$`),
    attributes: {
      "/properties/DBInstanceArn": arnRe("rds", `db:${gen("dbinstance")}`),
      "/properties/DbiResourceId": /^db-[A-Z0-9]{26}$/,
      "/properties/DBInstanceStatus": "available",
      "/properties/Endpoint": (v) => isJsonObject(v ?? null),
      "/properties/Endpoint/Address": new RegExp(
        `^${gen("dbinstance")}\\.[a-z0-9]{12}\\.${R}\\.rds\\.amazonaws\\.com$`
      ),
      "/properties/Endpoint/Port": /^\d+$/,
      "/properties/Endpoint/HostedZoneId": /^Z[A-Z0-9]+$/,
      "/properties/CertificateDetails": (v) => isJsonObject(v ?? null),
      "/properties/CertificateDetails/CAIdentifier": /^rds-ca-/,
      "/properties/CertificateDetails/ValidTill": ISO,
      "/properties/InstanceCreateTime": ISO,
      "/properties/LatestRestorableTime": ISO,
      "/properties/IsStorageConfigUpgradeAvailable": false,
      "/properties/PercentProgress": /^\d+$/,
      "/properties/ReadReplicaDBInstanceIdentifiers": [],
      "/properties/ReadReplicaDBClusterIdentifiers": []
    },
    conditional: {
      "/properties/AutomaticRestartTime": "only for a stopped instance",
      "/properties/ListenerEndpoint": "only for SQL Server with an availability group listener",
      "/properties/MasterUserSecret/SecretArn": "only with ManageMasterUserPassword",
      "/properties/ResumeFullAutomationModeTime": "only for RDS Custom in paused automation",
      "/properties/SecondaryAvailabilityZone": "only for Multi-AZ",
      "/properties/StatusInfos": "only for read replicas"
    }
  },
  {
    typeName: "AWS::RDS::DBCluster",
    desired: () => ({ Engine: "aurora-mysql", MasterUsername: "admin", MasterUserPassword: "change-me-please" }),
    identifier: new RegExp(`^${gen("dbcluster")}$`),
    attributes: {
      "/properties/DBClusterArn": arnRe("rds", `cluster:${gen("dbcluster")}`),
      "/properties/DBClusterResourceId": /^cluster-[A-Z0-9]{26}$/,
      "/properties/Endpoint": (v) => isJsonObject(v ?? null),
      "/properties/Endpoint/Address": new RegExp(
        `^${gen("dbcluster")}\\.cluster-[a-z0-9]{12}\\.${R}\\.rds\\.amazonaws\\.com$`
      ),
      "/properties/Endpoint/Port": /^\d+$/,
      "/properties/ReadEndpoint": (v) => isJsonObject(v ?? null),
      "/properties/ReadEndpoint/Address": new RegExp(
        `^${gen("dbcluster")}\\.cluster-ro-[a-z0-9]{12}\\.${R}\\.rds\\.amazonaws\\.com$`
      )
    },
    conditional: {
      "/properties/MasterUserSecret/SecretArn": "only with ManageMasterUserPassword",
      "/properties/StorageEncryptionType": "only for an encrypted cluster",
      "/properties/StorageThroughput": "only for io2 / Aurora I/O-Optimized storage"
    }
  },
  {
    typeName: "AWS::EKS::Cluster",
    desired: (m) => ({
      RoleArn: String(m["AWS::IAM::Role"]!["Arn"]),
      ResourcesVpcConfig: { SubnetIds: [m["AWS::EC2::Subnet"]!.identifier] }
    }),
    identifier: new RegExp(`^${gen("cluster")}$`),
    attributes: {
      "/properties/Arn": arnRe("eks", `cluster/${gen("cluster")}`),
      "/properties/Endpoint": new RegExp(`^https://[0-9A-F]{32}\\.gr7\\.${R}\\.eks\\.amazonaws\\.com$`),
      "/properties/CertificateAuthorityData": /^[A-Za-z0-9+/=]+$/,
      "/properties/ClusterSecurityGroupId": /^sg-[0-9a-f]{17}$/,
      "/properties/OpenIdConnectIssuerUrl": new RegExp(`^https://oidc\\.eks\\.${R}\\.amazonaws\\.com/id/[0-9A-F]{32}$`),
      "/properties/Id": UUID
    },
    conditional: {
      "/properties/EncryptionConfigKeyArn": "only with EncryptionConfig",
      "/properties/KubernetesNetworkConfig/ServiceIpv6Cidr": "only with IpFamily ipv6"
    }
  },
  {
    typeName: "AWS::EKS::Nodegroup",
    desired: (m) => ({
      ClusterName: m["AWS::EKS::Cluster"]!.identifier,
      NodeRole: String(m["AWS::IAM::Role"]!["Arn"]),
      Subnets: [m["AWS::EC2::Subnet"]!.identifier]
    }),
    identifier: new RegExp(`^${gen("cluster")}/${gen("nodegroup")}$`),
    attributes: {
      "/properties/Id": new RegExp(`^${gen("cluster")}/${gen("nodegroup")}$`),
      "/properties/Arn": arnRe("eks", `nodegroup/${gen("cluster")}/${gen("nodegroup")}/[0-9a-f-]{36}`)
    }
  },
  {
    typeName: "AWS::Cognito::UserPool",
    desired: () => ({}),
    identifier: new RegExp(`^${R}_[A-Za-z0-9]{9}$`),
    attributes: {
      "/properties/UserPoolId": new RegExp(`^${R}_[A-Za-z0-9]{9}$`),
      "/properties/Arn": arnRe("cognito-idp", `userpool/${R}_[A-Za-z0-9]{9}`),
      "/properties/ProviderName": new RegExp(`^cognito-idp\\.${R}\\.amazonaws\\.com/${R}_[A-Za-z0-9]{9}$`),
      "/properties/ProviderURL": new RegExp(`^https://cognito-idp\\.${R}\\.amazonaws\\.com/${R}_[A-Za-z0-9]{9}$`)
    }
  },
  {
    typeName: "AWS::AppSync::GraphQLApi",
    desired: () => ({ Name: "api", AuthenticationType: "API_KEY" }),
    identifier: /^[a-z0-9]{26}$/,
    attributes: {
      "/properties/ApiId": /^[a-z0-9]{26}$/,
      "/properties/Arn": arnRe("appsync", "apis/[a-z0-9]{26}"),
      "/properties/GraphQLEndpointArn": arnRe("appsync", "endpoints/graphql-api/[a-z0-9]{26}"),
      "/properties/GraphQLDns": new RegExp(`^[a-z0-9]{26}\\.appsync-api\\.${R}\\.amazonaws\\.com$`),
      "/properties/GraphQLUrl": new RegExp(`^https://[a-z0-9]{26}\\.appsync-api\\.${R}\\.amazonaws\\.com/graphql$`),
      "/properties/RealtimeDns": new RegExp(`^[a-z0-9]{26}\\.appsync-realtime-api\\.${R}\\.amazonaws\\.com$`),
      "/properties/RealtimeUrl": new RegExp(
        `^wss://[a-z0-9]{26}\\.appsync-realtime-api\\.${R}\\.amazonaws\\.com/graphql$`
      )
    }
  },
  {
    typeName: "AWS::Route53::HostedZone",
    desired: () => ({ Name: "example.com" }),
    identifier: /^Z[A-Z0-9]{20}$/,
    attributes: {
      "/properties/Id": /^Z[A-Z0-9]{20}$/,
      "/properties/NameServers": (v) =>
        Array.isArray(v) && v.length > 0 && v.every((n) => /^ns-\d+\.awsdns-\d+\.[a-z.]+$/.test(String(n)))
    }
  },
  {
    typeName: "AWS::Backup::BackupVault",
    desired: () => ({ BackupVaultName: "ccapi-vault" }),
    identifier: /^ccapi-vault$/,
    attributes: { "/properties/BackupVaultArn": arnRe("backup", "backup-vault:ccapi-vault") }
  },
  {
    typeName: "AWS::CloudFront::Distribution",
    desired: () => ({
      DistributionConfig: {
        Enabled: true,
        DefaultCacheBehavior: { TargetOriginId: "o", ViewerProtocolPolicy: "allow-all" },
        Origins: [{ Id: "o", DomainName: "example.com", CustomOriginConfig: { OriginProtocolPolicy: "https-only" } }]
      }
    }),
    identifier: /^E[A-Z0-9]{13}$/,
    attributes: { "/properties/Id": /^E[A-Z0-9]{13}$/, "/properties/DomainName": /^d[a-z0-9]{13}\.cloudfront\.net$/ }
  }
]

const valueAt = (properties: JsonObject, pointer: string): JsonValue | undefined => {
  let node: JsonValue | undefined = properties
  for (const part of pointer.split("/").slice(2))
    node = isJsonObject(node ?? null) ? (node as JsonObject)[part] : undefined
  return node
}

const resolve = (schema: ResourceSchema, node: JsonValue | undefined, depth = 0): JsonObject | undefined => {
  if (!isJsonObject(node ?? null)) return undefined
  const object = node as JsonObject
  const ref = object["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/") && depth < 8) {
    let target: JsonValue | undefined = schema.document
    for (const part of ref.slice(2).split("/"))
      target = isJsonObject(target ?? null) ? (target as JsonObject)[part] : undefined
    return resolve(schema, target, depth + 1)
  }
  return object
}

/** The string sub-schema at a `/properties/...` pointer (through `$ref`s and array items). */
const propertySchema = (schema: ResourceSchema, pointer: string): JsonObject | undefined => {
  const [first, ...rest] = pointer.split("/").slice(2)
  let node = resolve(schema, schema.properties[first!])
  for (const part of rest) {
    const properties = node?.["properties"]
    node = resolve(schema, isJsonObject(properties ?? null) ? (properties as JsonObject)[part] : undefined)
  }
  if (node?.["type"] === "array") return resolve(schema, node["items"])
  return node
}

/** Patterns no JavaScript reading of which compiles (Java-only syntax); they are reported, not silently passed. */
const unreadablePatterns = new Set<string>()

/** A CloudFormation pattern as JavaScript reads it (`\Z` is Java's end of input, `(?s)` its dot-all flag). */
const patternOf = (node: JsonObject | undefined): RegExp | undefined => {
  const pattern = node?.["pattern"]
  if (typeof pattern !== "string") return undefined
  const dotAll = pattern.startsWith("(?s)")
  const source = pattern
    .replace(/^\(\?s\)/, "")
    .replace(/\\A/g, "^")
    .replace(/\\Z/g, "$")
  for (const flags of [dotAll ? "us" : "u", dotAll ? "s" : ""]) {
    try {
      return new RegExp(source, flags)
    } catch {
      // the next reading
    }
  }
  unreadablePatterns.add(pattern)
  return undefined
}

/** Every property of every bundled schema that names this attribute as what it references. */
const relationshipConsumers = (typeName: string, attribute: string): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  const documents = BundledSchemas.loadProviderSchemas()
  for (const [consumer, document] of Object.entries(documents)) {
    const text = JSON.stringify(document)
    if (
      !text.includes(`"typeName":"${typeName}","propertyPath":"/properties/${attribute}"`) &&
      !text.includes(`"propertyPath":"/properties/${attribute}","typeName":"${typeName}"`)
    )
      continue
    const walk = (node: JsonValue | undefined, path: string) => {
      if (!isJsonObject(node ?? null)) return
      const object = node as JsonObject
      const rel = object["relationshipRef"]
      if (
        isJsonObject(rel ?? null) &&
        (rel as JsonObject)["typeName"] === typeName &&
        (rel as JsonObject)["propertyPath"] === `/properties/${attribute}`
      )
        out.push([consumer, path])
      for (const [key, child] of Object.entries(object)) walk(child, `${path}/${key}`)
    }
    walk(document, "")
  }
  return out
}

/** cfn-lint's `format`s that say a property takes another type's attribute. */
const formats: Readonly<Record<string, readonly [string, string]>> = {
  "AWS::IAM::Role.Arn": ["AWS::IAM::Role", "Arn"],
  "AWS::KMS::Key.Arn": ["AWS::KMS::Key", "Arn"],
  "AWS::KMS::Key.Id": ["AWS::KMS::Key", "KeyId"],
  "AWS::KMS::Alias.AliasName": ["AWS::KMS::Alias", "AliasName"],
  "AWS::EC2::SecurityGroup.Id": ["AWS::EC2::SecurityGroup", "GroupId"],
  "AWS::EC2::SecurityGroup.Ids": ["AWS::EC2::SecurityGroup", "GroupId"],
  "AWS::S3::Bucket.Name": ["AWS::S3::Bucket", "BucketName"],
  "AWS::EC2::Subnet.Id": ["AWS::EC2::Subnet", "SubnetId"],
  "AWS::EC2::Subnet.Ids": ["AWS::EC2::Subnet", "SubnetId"],
  "AWS::EC2::VPC.Id": ["AWS::EC2::VPC", "VpcId"],
  "AWS::SNS::Topic.Arn": ["AWS::SNS::Topic", "TopicArn"],
  "AWS::Lambda::Function.Arn": ["AWS::Lambda::Function", "Arn"],
  "AWS::Lambda::Function.Name": ["AWS::Lambda::Function", "FunctionName"],
  "AWS::Logs::LogGroup.Name": ["AWS::Logs::LogGroup", "LogGroupName"],
  "AWS::SQS::Queue.Arn": ["AWS::SQS::Queue", "Arn"]
}

/**
 * Properties that take the attribute but accept only a narrower kind of it than AWS generates in general (a path-less
 * role, a bucket with a prefix), or whose pattern is broken in the published schema: "consumer pattern" → why.
 */
const narrowerConsumers: Record<string, string> = {
  "AWS::AppFlow::Flow ^(upsolver-appflow)\\S*": "takes only Upsolver buckets (upsolver-appflow…)",
  "AWS::MediaPackage::Channel \\A^(\\/aws\\/MediaPackage\\/)[a-zA-Z0-9_-]+\\Z":
    "takes only /aws/MediaPackage/ log groups",
  "AWS::Kendra::DataSource ^/arn:aws[a-zA-Z-]*:lambda:[a-z]+-[a-z]+-[0-9]:[0-9]{12}:function:[a-zA-Z0-9-_]+(\\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?(:[a-zA-Z0-9-_]+)?/$":
    "the published pattern wraps the ARN in literal slashes, so no real function ARN matches it"
}
Object.assign(narrowerConsumers, {
  "AWS::MediaPackage::PackagingGroup \\A\\/aws\\/MediaPackage\\/[0-9a-zA-Z-_\\/\\.#]+\\Z":
    "takes only /aws/MediaPackage/ log groups"
})
const mismatches: Array<string> = []

/** Every property node of every bundled schema that carries one of `formats`, by the attribute it takes. */
const formatConsumers: ReadonlyMap<string, ReadonlyArray<readonly [string, JsonObject]>> = (() => {
  const out = new Map<string, Array<readonly [string, JsonObject]>>()
  for (const [consumer, document] of Object.entries(BundledSchemas.loadProviderSchemas())) {
    const walk = (node: JsonValue | undefined) => {
      if (Array.isArray(node)) return node.forEach(walk)
      if (!isJsonObject(node ?? null)) return
      const object = node as JsonObject
      const format = object["format"]
      const target = typeof format === "string" ? formats[format] : undefined
      if (target !== undefined) {
        const key = target.join(".")
        const items = object["items"]
        const stringNode = object["type"] === "array" && isJsonObject(items ?? null) ? (items as JsonObject) : object
        out.set(key, [...(out.get(key) ?? []), [consumer, stringNode]])
      }
      for (const child of Object.values(object)) walk(child)
    }
    walk(document)
  }
  return out
})()

const cloud = Effect.runSync(MemoryCloud.make().pipe(Effect.provide(BundledSchemas.layerMemory)))
const validator = AjvPropertyValidator.makeUnsafe()
const made: Made = {}
let tokens = 0

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("identifier and attribute formats of common types", () => {
  it("covers at least 30 types", () => {
    expect(new Set(cases.map((c) => c.typeName)).size).toBeGreaterThanOrEqual(30)
  })

  for (const testCase of cases) {
    it(`${testCase.typeName}: identifier, read-only attributes and the patterns of the schemas that take them`, async () => {
      const typeName = makeTypeName(testCase.typeName)
      const schema = BundledSchemas.schemaOf(testCase.typeName)!
      const started = await run(
        cloud.create({
          typeName,
          desiredState: testCase.desired(made),
          clientToken: ClientToken.make(`format-${++tokens}`),
          region
        })
      )
      const done = await run(cloud.requestStatus({ requestToken: started.requestToken, region }))
      expect(done.statusMessage ?? "", `${testCase.typeName} create`).toBe("")
      expect(done.status).toBe("SUCCESS")
      const id = done.identifier!
      expect(id).toMatch(testCase.identifier)

      // A type without a read handler (e.g. AWS::SQS::QueuePolicy) is refused by GetResource, as AWS does; its
      // model is the one the create reported.
      const read = cloud.get({ typeName, identifier: identifier(id), region })
      const properties = BundledSchemas.supports(schema, "read")
        ? (await run(read)).properties
        : (await run(Effect.flip(read)))._tag === "UnsupportedAction"
          ? done.resourceModel!
          : {}
      made[testCase.typeName] = { ...properties, identifier: id }

      // Every read-only pointer is checked, or said to be absent in this configuration.
      const conditional = Object.keys(testCase.conditional ?? {})
      for (const pointer of schema.readOnlyProperties) {
        if (conditional.some((c) => pointer === c || pointer.startsWith(`${c}/`))) {
          expect(
            valueAt(properties, pointer),
            `${pointer} is reported only ${testCase.conditional![conditional.find((c) => pointer.startsWith(c))!]}`
          ).toBeUndefined()
          continue
        }
        expect(Object.keys(testCase.attributes), `${testCase.typeName} ${pointer} has an expected format`).toContain(
          pointer
        )
      }
      for (const [pointer, expected] of Object.entries(testCase.attributes)) {
        const value = valueAt(properties, pointer)
        if (expected instanceof RegExp) expect(value, pointer).toMatch(expected)
        else if (typeof expected === "function")
          expect(expected(value), `${pointer}: ${JSON.stringify(value)}`).toBe(true)
        else expect(value, pointer).toEqual(expected)
        // Its own schema's pattern.
        const own = patternOf(propertySchema(schema, pointer))
        if (own !== undefined && typeof value === "string")
          expect(value, `${pointer} against its own pattern`).toMatch(own)
      }
      // The primary identifier's own patterns.
      for (const pointer of schema.primaryIdentifier) {
        const own = patternOf(propertySchema(schema, pointer))
        const value = valueAt(properties, pointer)
        if (own !== undefined && typeof value === "string")
          expect(value, `${pointer} against its own pattern`).toMatch(own)
      }
      // The whole model (filled-in defaults included) is valid for its own schema.
      expect(validator.issues(schema, properties, "preview").map((i) => `${i.path}: ${i.message}`)).toEqual([])

      // The schemas that take these values.
      const consumers = [
        ...(testCase.consumers ?? []),
        ...Object.keys(properties).flatMap((name) =>
          relationshipConsumers(testCase.typeName, name).map(([type, path]) => [name, type, path] as const)
        )
      ]
      // Every property of every schema that cfn-lint says takes this attribute (e.g. 384 take a role ARN).
      for (const [attribute, value] of Object.entries(properties)) {
        for (const [consumerType, node] of formatConsumers.get(`${testCase.typeName}.${attribute}`) ?? []) {
          const pattern = patternOf(node)
          // Many schemas take only roles without a path: the same role without its path must match them.
          const pathless = attribute === "Arn" && testCase.typeName === "AWS::IAM::Role"
          const checked = typeof value === "string" && pathless ? value.replace(/:role\/.*\//, ":role/") : value
          if (pattern !== undefined && typeof checked === "string" && !pattern.test(checked)) {
            const known = narrowerConsumers[`${consumerType} ${String(node["pattern"])}`]
            expect(
              known,
              `${testCase.typeName}.${attribute} '${value}' against ${consumerType} (${String(node["pattern"])})`
            ).toBeDefined()
            mismatches.push(`${consumerType}: ${known}`)
          }
          const maxLength = node["maxLength"]
          if (typeof maxLength === "number" && typeof value === "string")
            expect(value.length).toBeLessThanOrEqual(maxLength)
        }
      }
      for (const [attribute, consumerType, path] of consumers) {
        const value = properties[attribute]
        expect(typeof value, `${attribute} for ${consumerType}`).toBe("string")
        const consumer = BundledSchemas.schemaOf(consumerType)!
        const node =
          path.startsWith("/properties/") && !path.includes("/definitions/")
            ? propertySchema(consumer, path)
            : (() => {
                let n: JsonValue | undefined = consumer.document
                for (const part of path.split("/").slice(1))
                  n = isJsonObject(n ?? null) ? (n as JsonObject)[part] : undefined
                return resolve(consumer, n)
              })()
        const pattern = patternOf(node)
        if (pattern !== undefined)
          expect(value, `${testCase.typeName}.${attribute} against ${consumerType}${path}`).toMatch(pattern)
        const maxLength = node?.["maxLength"]
        if (typeof maxLength === "number") expect(String(value).length).toBeLessThanOrEqual(maxLength)
      }
    })
  }

  it("every consumer pattern met could be read as a JavaScript regular expression", () => {
    expect([...unreadablePatterns]).toEqual([])
  })

  it("only the listed narrower consumers refused a generated value", () => {
    expect(new Set(mismatches).size).toBeLessThanOrEqual(Object.keys(narrowerConsumers).length)
  })

  it("the format index found the schemas that take role ARNs, subnet ids and KMS keys", () => {
    expect(formatConsumers.get("AWS::IAM::Role.Arn")?.length).toBeGreaterThan(300)
    expect(formatConsumers.get("AWS::EC2::Subnet.SubnetId")?.length).toBeGreaterThan(50)
    expect(formatConsumers.get("AWS::KMS::Key.Arn")?.length).toBeGreaterThan(100)
  })

  it("a real-format SQS queue URL gets the queue", async () => {
    const url = made["AWS::SQS::Queue"]!.identifier
    const live = await run(
      cloud.get({ typeName: makeTypeName("AWS::SQS::Queue"), identifier: identifier(url), region })
    )
    expect(live.properties["QueueUrl"]).toBe(url)
  })
})
