//! The actions that hand a role to new compute: with `iam:PassRole` on a role, each lets the
//! caller run code (or API calls) of its choosing with that role's permissions, the
//! `iam:PassRole` escalation path of IAM-023.
//!
//! The list is reviewed by hand from the [catalogue](super::catalogue)'s dependent-action
//! data: every action AWS documents as needing `iam:PassRole` is either in [`COMPUTE`] or
//! in [`NOT_COMPUTE`] with the reason it is not a path (a test fails when a catalogue update
//! brings an action that is in neither). AWS's data does not list `iam:PassRole` for some
//! actions that do need it (Glue jobs, CodeBuild projects, CloudFormation stacks, Batch,
//! App Runner, ...): those are added by hand and marked so.

/// One action that hands a role to compute the caller controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputeAction {
    /// `service:Action`, as AWS spells it.
    pub action: &'static str,
    /// The family it belongs to (`EC2`, `Lambda`, ...), for documentation and tests.
    pub family: &'static str,
    /// Added by hand: AWS's data does not list `iam:PassRole` among its dependent actions.
    pub by_hand: bool,
}

const fn from_data(family: &'static str, action: &'static str) -> ComputeAction {
    ComputeAction {
        action,
        family,
        by_hand: false,
    }
}

const fn by_hand(family: &'static str, action: &'static str) -> ComputeAction {
    ComputeAction {
        action,
        family,
        by_hand: true,
    }
}

/// Every action that hands a passed role to compute the caller controls, by family.
pub const COMPUTE: &[ComputeAction] = &[
    from_data("EC2", "ec2:RunInstances"),
    from_data("EC2", "ec2:RequestSpotInstances"),
    from_data("EC2", "ec2:AssociateIamInstanceProfile"),
    from_data("EC2", "ec2:ReplaceIamInstanceProfileAssociation"),
    by_hand("EC2", "ec2:RequestSpotFleet"),
    by_hand("EC2", "ec2:CreateFleet"),
    from_data("Auto Scaling", "autoscaling:CreateAutoScalingGroup"),
    from_data("Auto Scaling", "autoscaling:UpdateAutoScalingGroup"),
    by_hand("Auto Scaling", "autoscaling:CreateLaunchConfiguration"),
    from_data("Lambda", "lambda:CreateFunction"),
    by_hand("Lambda", "lambda:UpdateFunctionConfiguration"),
    from_data("ECS", "ecs:RunTask"),
    from_data("ECS", "ecs:StartTask"),
    from_data("ECS", "ecs:CreateExpressGatewayService"),
    by_hand("ECS", "ecs:RegisterTaskDefinition"),
    by_hand("ECS", "ecs:CreateService"),
    by_hand("ECS", "ecs:UpdateService"),
    by_hand("Glue", "glue:CreateJob"),
    by_hand("Glue", "glue:UpdateJob"),
    by_hand("Glue", "glue:CreateDevEndpoint"),
    by_hand("Glue", "glue:UpdateDevEndpoint"),
    by_hand("Glue", "glue:CreateSession"),
    from_data("SageMaker", "sagemaker:CreateNotebookInstance"),
    from_data("SageMaker", "sagemaker:CreateTrainingJob"),
    from_data("SageMaker", "sagemaker:CreateProcessingJob"),
    from_data("SageMaker", "sagemaker:CreateHyperParameterTuningJob"),
    from_data("SageMaker", "sagemaker:CreateModel"),
    from_data("SageMaker", "sagemaker:CreatePipeline"),
    from_data("SageMaker", "sagemaker:UpdatePipeline"),
    from_data("SageMaker", "sagemaker:CreateDomain"),
    from_data("SageMaker", "sagemaker:CreateUserProfile"),
    from_data("SageMaker", "sagemaker:CreateCluster"),
    from_data("SageMaker", "sagemaker:UpdateCluster"),
    by_hand("CodeBuild", "codebuild:CreateProject"),
    by_hand("CodeBuild", "codebuild:UpdateProject"),
    by_hand("CodeBuild", "codebuild:StartBuild"),
    by_hand("CodeBuild", "codebuild:StartBuildBatch"),
    by_hand("CloudFormation", "cloudformation:CreateStack"),
    by_hand("CloudFormation", "cloudformation:UpdateStack"),
    by_hand("CloudFormation", "cloudformation:CreateChangeSet"),
    by_hand("CloudFormation", "cloudformation:CreateStackSet"),
    by_hand("CloudFormation", "cloudformation:UpdateStackSet"),
    by_hand("Data Pipeline", "datapipeline:CreatePipeline"),
    by_hand("Data Pipeline", "datapipeline:PutPipelineDefinition"),
    from_data("EMR", "elasticmapreduce:RunJobFlow"),
    from_data("EMR", "emr-serverless:StartJobRun"),
    from_data("EMR", "emr-serverless:StartSession"),
    by_hand("Batch", "batch:RegisterJobDefinition"),
    by_hand("Batch", "batch:CreateComputeEnvironment"),
    by_hand("Batch", "batch:SubmitJob"),
    by_hand("App Runner", "apprunner:CreateService"),
    by_hand("App Runner", "apprunner:UpdateService"),
    by_hand("Elastic Beanstalk", "elasticbeanstalk:CreateEnvironment"),
    by_hand("Elastic Beanstalk", "elasticbeanstalk:UpdateEnvironment"),
    from_data("Step Functions", "states:CreateStateMachine"),
    from_data("Step Functions", "states:UpdateStateMachine"),
    from_data("EventBridge", "scheduler:CreateSchedule"),
    from_data("EventBridge", "scheduler:UpdateSchedule"),
    from_data("EventBridge", "pipes:CreatePipe"),
    from_data("EventBridge", "pipes:UpdatePipe"),
    by_hand("Systems Manager", "ssm:StartAutomationExecution"),
    from_data("Bedrock AgentCore", "bedrock-agentcore:CreateAgentRuntime"),
    from_data("Bedrock AgentCore", "bedrock-agentcore:UpdateAgentRuntime"),
    from_data("Image Builder", "imagebuilder:CreateInfrastructureConfiguration"),
    from_data("Image Builder", "imagebuilder:UpdateInfrastructureConfiguration"),
    from_data("GameLift", "gamelift:CreateFleet"),
    from_data("GameLift", "gamelift:CreateContainerFleet"),
    from_data("Deadline Cloud", "deadline:CreateFleet"),
    from_data("Deadline Cloud", "deadline:UpdateFleet"),
    from_data("Deadline Cloud", "deadline:CreateQueue"),
    from_data("Deadline Cloud", "deadline:UpdateQueue"),
    from_data("Parallel Computing", "pcs:CreateComputeNodeGroup"),
    from_data("Parallel Computing", "pcs:UpdateComputeNodeGroup"),
    from_data("HealthOmics", "omics:StartRun"),
    from_data("HealthOmics", "omics:StartRunBatch"),
    by_hand("Kinesis Data Analytics", "kinesisanalytics:CreateApplication"),
    by_hand("Amplify", "amplify:CreateApp"),
    from_data("MSK Connect", "kafkaconnect:CreateConnector"),
];

/// The other actions AWS documents as needing `iam:PassRole`, as patterns over the
/// catalogue, with why they are not an escalation path: the service uses the role itself,
/// for a fixed purpose, and runs no code the caller chooses with it.
pub const NOT_COMPUTE: &[(&str, &str)] = &[
    ("ec2:CreateFlowLogs", "delivers flow logs"),
    ("ec2:EnableFastLaunch", "pre-provisions Windows snapshots"),
    (
        "lambda:CreateCapacityProvider",
        "manages the instances that host functions",
    ),
    ("lambda:*Microvm*", "builds and runs service-managed images"),
    ("lambda:CreateNetworkConnector", "attaches networks"),
    (
        "sagemaker:*",
        "the other SageMaker jobs run AWS's algorithms, monitoring or labelling with the role",
    ),
    ("sagemaker-geospatial:*", "runs AWS's geospatial models"),
    (
        "bedrock-agentcore:*",
        "memory, gateways, evaluations and tests the service runs itself",
    ),
    ("imagebuilder:*", "image distribution, import and lifecycle"),
    (
        "gamelift:*",
        "builds, scripts and game server groups the service manages",
    ),
    ("deadline:*Monitor", "the monitoring portal"),
    (
        "iam:AddRoleToInstanceProfile",
        "needs an instance launch (EC2) to run anything",
    ),
    (
        "rds:*",
        "monitoring, S3 import and export, proxies and features the database engine uses",
    ),
    ("dms:*", "data migration with the service's own tasks"),
    ("transfer:*", "file transfer servers, users and connectors"),
    ("backup:*", "backups, restores and copies"),
    ("backup-gateway:*", "hypervisor metadata"),
    ("backup-search:*", "exports search results"),
    (
        "config:*",
        "recording, aggregation and remediation through Systems Manager documents the service runs",
    ),
    ("iot:*", "provisioning templates, role aliases and certificates"),
    ("iotfleetwise:*", "account registration"),
    ("sms-voice:*", "event destinations"),
    ("personalize:*", "recommendation jobs"),
    ("sns:*", "delivery status logging"),
    ("securitylake:*", "log sources and notifications"),
    ("quicksight:*", "data sources and VPC connections"),
    ("proton:*", "provisioning through the service's templates"),
    ("nimble:*", "studio components"),
    ("mediaconnect:*", "router inputs and outputs"),
    ("mediastore:*", "access logging"),
    ("emr-serverless:Access*", "endpoints of an existing application"),
    ("cleanrooms:*", "table associations and memberships"),
    (
        "rolesanywhere:*",
        "profiles that name roles (the trust policy still decides who assumes them)",
    ),
    ("neptune-graph:*", "imports and exports"),
    ("ssm-incidents:*", "response plans"),
    ("ssm:CreateCloudConnector", "cloud connectors"),
    (
        "ssm:CreateDocument",
        "a document runs only with the role of whoever starts it",
    ),
    ("ses:*", "receipt rule sets"),
    ("securityagent:*", "the service's own agents"),
    ("s3:*", "replication and batch operations jobs"),
    ("s3-outposts:*", "replication"),
    ("resiliencehub:*", "assessments"),
    ("osis:*", "ingestion pipelines"),
    ("mgn:*", "test and cutover launches of replicated servers"),
    ("logs:*", "subscription delivery"),
    ("ecr:*", "repository creation templates"),
    ("chime:*", "media insights pipelines"),
    ("budgets:*", "budget actions that apply chosen policies"),
    ("aiops:*", "investigation groups"),
    ("access-analyzer:*", "policy generation from CloudTrail"),
    ("acm:*", "ACME bindings"),
    ("bcm-dashboards:*", "scheduled reports"),
    ("cloudtrail:*", "federation"),
    ("cloudwatch:*", "log alarms"),
    ("codecatalyst:*", "connections"),
    ("codeconnections:*", "sync configurations"),
    ("codestar-connections:*", "sync configurations"),
    ("dax:*", "cluster access to DynamoDB"),
    ("drs:*", "recovery launches"),
    ("ds:*", "directory role access"),
    ("dsql:*", "change streams"),
    ("health-agent:*", "the service's own agents"),
    ("kafka:*", "replicators"),
    ("resource-groups:*", "tag sync"),
    ("shield:*", "the DDoS response team's access"),
    ("timestream:*", "scheduled queries"),
    ("ts:*", "the service's own executions"),
];

/// The entry for `action` (any case), if it hands a role to compute.
pub fn compute_action(action: &str) -> Option<&'static ComputeAction> {
    COMPUTE.iter().find(|c| c.action.eq_ignore_ascii_case(action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{catalogue, Pattern};

    fn needs_pass_role(action: &catalogue::Action<'_>) -> bool {
        action.dependent_actions().any(|d| d == "iam:PassRole")
    }

    #[test]
    fn every_compute_action_is_real_and_marked_as_the_data_has_it() {
        let cat = catalogue::get();
        for c in COMPUTE {
            let a = cat
                .action(c.action)
                .unwrap_or_else(|| panic!("{} is not in the catalogue", c.action));
            assert_eq!(a.name(), c.action, "spelled as AWS spells it");
            assert_eq!(
                needs_pass_role(&a),
                !c.by_hand,
                "{}: by_hand must be true exactly when AWS's data lacks iam:PassRole",
                c.action
            );
        }
        let mut names: Vec<&str> = COMPUTE.iter().map(|c| c.action).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "an action is listed twice");
    }

    #[test]
    fn every_action_aws_says_needs_pass_role_was_reviewed() {
        let cat = catalogue::get();
        let patterns: Vec<(Pattern, &str)> = NOT_COMPUTE
            .iter()
            .map(|(p, why)| (Pattern::new(p, true), *why))
            .collect();
        let mut used = vec![false; patterns.len()];
        let mut unreviewed = Vec::new();
        for a in cat.pass_role_actions() {
            if compute_action(a.name()).is_some() {
                continue;
            }
            match patterns.iter().position(|(p, _)| p.matches(a.name())) {
                Some(i) => used[i] = true,
                None => unreviewed.push(a.name()),
            }
        }
        assert!(
            unreviewed.is_empty(),
            "the catalogue lists iam:PassRole for actions in neither COMPUTE nor NOT_COMPUTE: {unreviewed:?}"
        );
        let dead: Vec<&str> = NOT_COMPUTE
            .iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|((p, _), _)| *p)
            .collect();
        assert!(
            dead.is_empty(),
            "NOT_COMPUTE entries that match no action needing iam:PassRole: {dead:?}"
        );
    }

    #[test]
    fn the_families_the_check_names_are_all_there() {
        for family in [
            "EC2",
            "Auto Scaling",
            "Lambda",
            "ECS",
            "Glue",
            "SageMaker",
            "CodeBuild",
            "CloudFormation",
            "Data Pipeline",
            "EMR",
            "Batch",
            "App Runner",
        ] {
            assert!(COMPUTE.iter().any(|c| c.family == family), "{family}");
        }
        assert_eq!(compute_action("GLUE:createjob").map(|c| c.family), Some("Glue"));
        assert_eq!(compute_action("s3:GetObject"), None);
    }
}
