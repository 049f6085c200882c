/**
 * CloudTrail facts the config, the trail resource and the audit share: the Bedrock data-event
 * resource types and the rules for trail names. Each is checked against the AWS documentation in
 * test/lib/audit/security-contract.test.ts.
 */

/**
 * The `AWS::Bedrock::` `resources.type` values in CloudTrail's data-event table
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html), 18 when
 * last read. Prompts are `AWS::Bedrock::PromptVersion` there (Bedrock's own page says `Prompt`). The table grows
 * (AdvancedOptimizePromptJob; `AWS::BedrockAgentCore::…`, `AWS::BedrockMantle::Project`,
 * `AWS::BedrockWebSearch::Tool`), so a type of the Bedrock families' form that is not listed here is accepted too
 * (BEDROCK_TYPE_FORM), and CloudTrail's PutEventSelectors has the last word on it.
 */
export const BEDROCK_DATA_EVENT_TYPES = [
  'AWS::Bedrock::AdvancedOptimizePromptJob',
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

/** The form of a type in the data-event table's Bedrock families (Bedrock, AgentCore, Mantle, web search). */
const BEDROCK_TYPE_FORM = /^AWS::Bedrock(AgentCore|Mantle|WebSearch)?::[A-Z][A-Za-z0-9]*$/;

export function checkDataEventType(v: string): string | undefined {
  if (v === 'AWS::Bedrock::Prompt')
    return `"${v}" is not a data-event resource type (CloudTrail calls prompts AWS::Bedrock::PromptVersion)`;
  if ((BEDROCK_DATA_EVENT_TYPES as readonly string[]).includes(v) || BEDROCK_TYPE_FORM.test(v)) return undefined;
  return (
    `"${v}" is not a Bedrock data-event resource type (AWS::Bedrock::…, AWS::BedrockAgentCore::…, ` +
    `AWS::BedrockMantle::… or AWS::BedrockWebSearch::… in CloudTrail's data-event table, e.g. ` +
    `${BEDROCK_DATA_EVENT_TYPES.slice(0, 4).join(', ')})`
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
