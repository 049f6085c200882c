/**
 * CloudTrail facts the config, the trail resource and the audit share: the Bedrock data-event
 * resource types and the rules for trail names. Each is checked against the AWS documentation in
 * test/audit-contract.test.ts.
 */

/**
 * Every Amazon Bedrock `resources.type` value in CloudTrail's data-event table
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
 * Prompts are `AWS::Bedrock::PromptVersion` there (Bedrock's own page says `Prompt`).
 */
export const BEDROCK_DATA_EVENT_TYPES = [
  'AWS::Bedrock::AgentAlias',
  'AWS::Bedrock::AsyncInvoke',
  'AWS::Bedrock::FlowAlias',
  'AWS::Bedrock::Guardrail',
  'AWS::Bedrock::InlineAgent',
  'AWS::Bedrock::KnowledgeBase',
  'AWS::Bedrock::Model',
  'AWS::Bedrock::PromptVersion',
  'AWS::Bedrock::Session',
  'AWS::Bedrock::FlowExecution',
  'AWS::Bedrock::AutomatedReasoningPolicy',
  'AWS::Bedrock::AutomatedReasoningPolicyVersion',
  'AWS::Bedrock::DataAutomationProject',
  'AWS::Bedrock::DataAutomationInvocation',
  'AWS::Bedrock::DataAutomationProfile',
  'AWS::Bedrock::Blueprint',
  'AWS::Bedrock::Tool',
] as const;

/**
 * Recorded by default: agents (alias and inline), knowledge bases, guardrails, flows, prompts, and
 * the model and async-invoke types that carry InvokeModelWithBidirectionalStream and async invokes.
 */
export const DEFAULT_DATA_EVENT_TYPES: readonly string[] = [
  'AWS::Bedrock::AgentAlias',
  'AWS::Bedrock::InlineAgent',
  'AWS::Bedrock::KnowledgeBase',
  'AWS::Bedrock::Guardrail',
  'AWS::Bedrock::FlowAlias',
  'AWS::Bedrock::PromptVersion',
  'AWS::Bedrock::AsyncInvoke',
  'AWS::Bedrock::Model',
];

export function checkDataEventType(v: string): string | undefined {
  if ((BEDROCK_DATA_EVENT_TYPES as readonly string[]).includes(v)) return undefined;
  const hint = v === 'AWS::Bedrock::Prompt' ? ' (CloudTrail calls prompts AWS::Bedrock::PromptVersion)' : '';
  return (
    `"${v}" is not a Bedrock data-event resource type CloudTrail knows${hint} (one of ` +
    `${BEDROCK_DATA_EVENT_TYPES.join(', ')})`
  );
}

/** CreateTrail's name rules (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html). */
export function checkTrailName(v: string): string | undefined {
  if (v.length < 3 || v.length > 128) return `"${v}" must be 3 to 128 characters long`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/.test(v))
    return (
      `"${v}" may contain only letters, digits, periods, underscores and dashes, and must start and end with a ` +
      `letter or digit`
    );
  if (/[._-]{2}/.test(v)) return `"${v}" must not have adjacent periods, underscores or dashes`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) return `"${v}" must not look like an IP address`;
  return undefined;
}

/** The event source of every Amazon Bedrock event (runtime, agents and control plane). */
export const BEDROCK_EVENT_SOURCE = 'bedrock.amazonaws.com';
