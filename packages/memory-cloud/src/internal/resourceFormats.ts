import type { JsonValue } from "@ccapi/core"

/**
 * The values AWS fills in when a resource is created, per type, as data: identifiers, ARNs, URLs, ids, statuses,
 * endpoints, zones and defaults. Each entry maps a property (a top-level name, or `A/B` for a nested one) to a
 * template; entries apply in order, and only to properties the desired state does not set (read-only ones never are).
 *
 * Template placeholders: `{Region}`, `{Account}`, `{Partition}` (aws), `{newName}` (a generated name: the resource's
 * name in lower case and 12 random letters and digits, as Cloud Control names unnamed resources), `{uuid}`,
 * `{hex:N}` / `{HEX:N}` (lower/upper hex digits), `{alnum:N}` / `{ALNUM:N}` / `{Alnum:N}` (letters and digits, lower,
 * upper or mixed case), `{digits:N}`, `{now}` (ISO time), `{ip}` (a public IPv4 address), `{az}` (the region's first
 * zone), `{Prop}` (another property's value, e.g. `{QueueName}`; `{Prop|basename}` is its part after the last `/` or
 * `:`). A value that is not a string (a number, boolean, array or object) is used as it is; an entry written
 * `{ $when: "Prop", value }` applies only when the resource has `Prop`.
 *
 * ARN formats: AWS's Service Authorization Reference (the "Resource types defined by …" table of each service);
 * attribute formats: each type's CloudFormation "Return values" documentation. See data/PROVENANCE.md.
 */
export type FormatValue = JsonValue | { readonly $when: string; readonly value: JsonValue }

export type ResourceFormat = Readonly<Record<string, FormatValue>>

const arn = (service: string, resource: string, region = "{Region}", account = "{Account}") =>
  `arn:{Partition}:${service}:${region}:${account}:${resource}`

export const resourceFormats: Readonly<Record<string, ResourceFormat>> = {
  "AWS::SQS::Queue": {
    QueueName: "{newName}",
    QueueUrl: "https://sqs.{Region}.amazonaws.com/{Account}/{QueueName}",
    Arn: arn("sqs", "{QueueName}")
  },
  "AWS::SQS::QueuePolicy": { Id: "{Alnum:13}" },
  "AWS::SNS::Topic": {
    TopicName: "{newName}",
    TopicArn: arn("sns", "{TopicName}")
  },
  "AWS::SNS::Subscription": { Arn: "{TopicArn}:{uuid}" },
  "AWS::IAM::Role": {
    RoleName: "{newName}",
    Path: "/",
    Arn: arn("iam", "role{Path}{RoleName}", ""),
    RoleId: "AROA{ALNUM:17}",
    MaxSessionDuration: 3600
  },
  "AWS::IAM::User": {
    UserName: "{newName}",
    Path: "/",
    Arn: arn("iam", "user{Path}{UserName}", "")
  },
  "AWS::IAM::Group": {
    GroupName: "{newName}",
    Path: "/",
    Arn: arn("iam", "group{Path}{GroupName}", "")
  },
  "AWS::IAM::InstanceProfile": {
    InstanceProfileName: "{newName}",
    Path: "/",
    Arn: arn("iam", "instance-profile{Path}{InstanceProfileName}", "")
  },
  "AWS::IAM::ManagedPolicy": {
    ManagedPolicyName: "{newName}",
    Path: "/",
    PolicyArn: arn("iam", "policy{Path}{ManagedPolicyName}", ""),
    PolicyId: "ANPA{ALNUM:17}",
    AttachmentCount: 0,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    DefaultVersionId: "v1",
    CreateDate: "{now}",
    UpdateDate: "{now}"
  },
  "AWS::S3::Bucket": {
    BucketName: "{newName}",
    Arn: "arn:{Partition}:s3:::{BucketName}",
    DomainName: "{BucketName}.s3.amazonaws.com",
    DualStackDomainName: "{BucketName}.s3.dualstack.{Region}.amazonaws.com",
    RegionalDomainName: "{BucketName}.s3.{Region}.amazonaws.com",
    WebsiteURL: "http://{BucketName}.s3-website-{Region}.amazonaws.com"
  },
  "AWS::Lambda::Function": {
    FunctionName: "{newName}",
    Arn: arn("lambda", "function:{FunctionName}"),
    Handler: { $when: "Runtime", value: "index.handler" },
    MemorySize: 128,
    Timeout: 3,
    PackageType: "Zip",
    Architectures: ["x86_64"],
    SnapStartResponse: { ApplyOn: "None", OptimizationStatus: "Off" }
  },
  "AWS::Lambda::Url": {
    FunctionArn: "{TargetFunctionArn}",
    FunctionUrl: "https://{alnum:32}.lambda-url.{Region}.on.aws/",
    InvokeMode: "BUFFERED"
  },
  "AWS::Logs::LogGroup": {
    LogGroupName: "{newName}",
    Arn: arn("logs", "log-group:{LogGroupName}:*"),
    LogGroupClass: "STANDARD"
  },
  "AWS::KMS::Key": {
    KeyId: "{uuid}",
    Arn: arn("kms", "key/{KeyId}"),
    Enabled: true,
    KeySpec: "SYMMETRIC_DEFAULT",
    KeyUsage: "ENCRYPT_DECRYPT",
    MultiRegion: false,
    Origin: "AWS_KMS"
  },
  "AWS::RDS::DBInstance": {
    DBInstanceIdentifier: "{newName}",
    DBInstanceArn: arn("rds", "db:{DBInstanceIdentifier}"),
    DbiResourceId: "db-{ALNUM:26}",
    DBInstanceStatus: "available",
    Endpoint: {},
    "Endpoint/Address": "{DBInstanceIdentifier}.{alnum:12}.{Region}.rds.amazonaws.com",
    "Endpoint/Port": "3306",
    "Endpoint/HostedZoneId": "Z2R2ITUGPM61AM",
    AvailabilityZone: "{az}",
    InstanceCreateTime: "{now}",
    LatestRestorableTime: "{now}",
    PercentProgress: "100",
    IsStorageConfigUpgradeAvailable: false,
    ReadReplicaDBInstanceIdentifiers: [],
    ReadReplicaDBClusterIdentifiers: [],
    CertificateDetails: {},
    "CertificateDetails/CAIdentifier": "rds-ca-rsa2048-g1",
    "CertificateDetails/ValidTill": "{now}"
  },
  "AWS::RDS::DBCluster": {
    DBClusterIdentifier: "{newName}",
    DBClusterArn: arn("rds", "cluster:{DBClusterIdentifier}"),
    DBClusterResourceId: "cluster-{ALNUM:26}",
    Endpoint: {},
    "Endpoint/Address": "{DBClusterIdentifier}.cluster-{alnum:12}.{Region}.rds.amazonaws.com",
    "Endpoint/Port": "3306",
    ReadEndpoint: {},
    "ReadEndpoint/Address": "{DBClusterIdentifier}.cluster-ro-{alnum:12}.{Region}.rds.amazonaws.com"
  },
  "AWS::RDS::DBSubnetGroup": { DBSubnetGroupName: "{newName}" },
  "AWS::DynamoDB::Table": {
    TableName: "{newName}",
    Arn: arn("dynamodb", "table/{TableName}"),
    StreamArn: { $when: "StreamSpecification", value: arn("dynamodb", "table/{TableName}/stream/{now}") },
    BillingMode: "PROVISIONED"
  },
  "AWS::EC2::VPC": {
    VpcId: "vpc-{hex:17}",
    DefaultNetworkAcl: "acl-{hex:17}",
    DefaultSecurityGroup: "sg-{hex:17}",
    CidrBlockAssociations: ["vpc-cidr-assoc-{hex:17}"],
    InstanceTenancy: "default",
    EnableDnsSupport: true,
    EnableDnsHostnames: false
  },
  "AWS::EC2::Subnet": {
    SubnetId: "subnet-{hex:17}",
    NetworkAclAssociationId: "aclassoc-{hex:17}",
    AvailabilityZone: "{az}",
    MapPublicIpOnLaunch: false,
    BlockPublicAccessStates: { InternetGatewayBlockMode: "off" }
  },
  "AWS::EC2::SecurityGroup": {
    Id: "sg-{hex:17}",
    GroupId: "{Id}"
  },
  "AWS::EC2::InternetGateway": { InternetGatewayId: "igw-{hex:17}" },
  "AWS::EC2::RouteTable": { RouteTableId: "rtb-{hex:17}" },
  "AWS::EC2::EIP": {
    PublicIp: "{ip}",
    AllocationId: "eipalloc-{hex:17}",
    Domain: "vpc",
    NetworkBorderGroup: "{Region}"
  },
  "AWS::EC2::LaunchTemplate": {
    LaunchTemplateId: "lt-{hex:17}",
    LaunchTemplateName: "{newName}",
    DefaultVersionNumber: "1",
    LatestVersionNumber: "1"
  },
  "AWS::EC2::KeyPair": {
    KeyPairId: "key-{hex:17}",
    KeyFingerprint:
      "{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}",
    KeyType: "rsa"
  },
  "AWS::ECR::Repository": {
    RepositoryName: "{newName}",
    Arn: arn("ecr", "repository/{RepositoryName}"),
    RepositoryUri: "{Account}.dkr.ecr.{Region}.amazonaws.com/{RepositoryName}"
  },
  "AWS::ECS::Cluster": {
    ClusterName: "{newName}",
    Arn: arn("ecs", "cluster/{ClusterName}")
  },
  "AWS::ECS::Service": {
    Cluster: "default",
    ServiceName: "{newName}",
    Name: "{ServiceName}",
    ServiceArn: arn("ecs", "service/{Cluster|basename}/{ServiceName}")
  },
  "AWS::ECS::TaskDefinition": {
    Family: "{newName}",
    TaskDefinitionArn: arn("ecs", "task-definition/{Family}:1")
  },
  "AWS::Events::EventBus": { Arn: arn("events", "event-bus/{Name}") },
  "AWS::Events::Rule": {
    Name: "{newName}",
    Arn: arn("events", "rule/{Name}"),
    State: "ENABLED"
  },
  "AWS::StepFunctions::StateMachine": {
    StateMachineName: "{newName}",
    Name: "{StateMachineName}",
    Arn: arn("states", "stateMachine:{StateMachineName}"),
    StateMachineRevisionId: "{Arn}",
    StateMachineType: "STANDARD"
  },
  "AWS::SecretsManager::Secret": {
    Name: "{newName}",
    Id: arn("secretsmanager", "secret:{Name}-{Alnum:6}")
  },
  "AWS::SSM::Parameter": {
    Name: "{newName}",
    Tier: "Standard",
    DataType: "text"
  },
  "AWS::Kinesis::Stream": {
    Name: "{newName}",
    Arn: arn("kinesis", "stream/{Name}"),
    RetentionPeriodHours: 24
  },
  "AWS::CloudWatch::Alarm": {
    AlarmName: "{newName}",
    Arn: arn("cloudwatch", "alarm:{AlarmName}")
  },
  "AWS::ApiGateway::RestApi": {
    RestApiId: "{alnum:10}",
    RootResourceId: "{alnum:10}"
  },
  "AWS::ApiGateway::Stage": { StageName: "{newName}" },
  "AWS::EFS::FileSystem": {
    FileSystemId: "fs-{hex:17}",
    Arn: arn("elasticfilesystem", "file-system/{FileSystemId}"),
    PerformanceMode: "generalPurpose",
    ThroughputMode: "bursting"
  },
  "AWS::ElasticLoadBalancingV2::TargetGroup": {
    Name: "tg-{alnum:12}",
    TargetGroupName: "{Name}",
    TargetGroupFullName: "targetgroup/{Name}/{hex:16}",
    TargetGroupArn: arn("elasticloadbalancing", "{TargetGroupFullName}"),
    LoadBalancerArns: [],
    TargetType: "instance"
  },
  "AWS::Route53::HostedZone": {
    Id: "Z{ALNUM:20}",
    NameServers: ["ns-{digits:3}.awsdns-{digits:2}.com", "ns-{digits:3}.awsdns-{digits:2}.net"]
  },
  "AWS::EKS::Cluster": {
    Name: "{newName}",
    Arn: arn("eks", "cluster/{Name}"),
    Endpoint: "https://{HEX:32}.gr7.{Region}.eks.amazonaws.com",
    CertificateAuthorityData: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{alnum:24}",
    ClusterSecurityGroupId: "sg-{hex:17}",
    OpenIdConnectIssuerUrl: "https://oidc.eks.{Region}.amazonaws.com/id/{HEX:32}",
    Id: "{uuid}",
    EncryptionConfigKeyArn: { $when: "EncryptionConfig", value: arn("kms", "key/{uuid}") }
  },
  "AWS::EKS::Nodegroup": {
    NodegroupName: "{newName}",
    Id: "{ClusterName}/{NodegroupName}",
    Arn: arn("eks", "nodegroup/{ClusterName}/{NodegroupName}/{uuid}")
  },
  "AWS::Cognito::UserPool": {
    UserPoolId: "{Region}_{Alnum:9}",
    Arn: arn("cognito-idp", "userpool/{UserPoolId}"),
    ProviderName: "cognito-idp.{Region}.amazonaws.com/{UserPoolId}",
    ProviderURL: "https://cognito-idp.{Region}.amazonaws.com/{UserPoolId}"
  },
  "AWS::AppSync::GraphQLApi": {
    ApiId: "{alnum:26}",
    Arn: arn("appsync", "apis/{ApiId}"),
    GraphQLEndpointArn: arn("appsync", "endpoints/graphql-api/{ApiId}"),
    GraphQLDns: "{alnum:26}.appsync-api.{Region}.amazonaws.com",
    GraphQLUrl: "https://{GraphQLDns}/graphql",
    RealtimeDns: "{alnum:26}.appsync-realtime-api.{Region}.amazonaws.com",
    RealtimeUrl: "wss://{RealtimeDns}/graphql"
  },
  "AWS::CloudFront::Distribution": {
    Id: "E{ALNUM:13}",
    DomainName: "d{alnum:13}.cloudfront.net"
  },
  "AWS::SES::EmailIdentity": {
    DkimDNSTokenName1: "{alnum:32}._domainkey.{EmailIdentity}",
    DkimDNSTokenName2: "{alnum:32}._domainkey.{EmailIdentity}",
    DkimDNSTokenName3: "{alnum:32}._domainkey.{EmailIdentity}",
    DkimDNSTokenValue1: "{alnum:32}.dkim.amazonses.com",
    DkimDNSTokenValue2: "{alnum:32}.dkim.amazonses.com",
    DkimDNSTokenValue3: "{alnum:32}.dkim.amazonses.com"
  },
  "AWS::Backup::BackupVault": { BackupVaultArn: arn("backup", "backup-vault:{BackupVaultName}") },
  "AWS::ElastiCache::SubnetGroup": { CacheSubnetGroupName: "{newName}" }
}
