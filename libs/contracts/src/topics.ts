/** Every Kafka topic Lapse uses. No topic string literal anywhere else. */
export const TOPICS = {
  usage: 'access.usage.v1',
  usageDlq: 'access.usage.v1.dlq',
  grantState: 'grants.state.v1',
  policyChanges: 'policy.changes.v1',
  accessRequests: 'access-requests.v1',
  grantStateDlq: 'grants.state.v1.dlq',
  accessRequestsDlq: 'access-requests.v1.dlq',
  policyChangesDlq: 'policy.changes.v1.dlq',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  topic: Topic;
  numPartitions: number;
  configEntries?: { name: string; value: string }[];
}

/** How the topics are created (by `npm start`, tests, and the services on boot). */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: TOPICS.usage, numPartitions: 8 },
  { topic: TOPICS.usageDlq, numPartitions: 1 },
  {
    topic: TOPICS.grantState,
    numPartitions: 8,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  },
  { topic: TOPICS.policyChanges, numPartitions: 1 },
  { topic: TOPICS.accessRequests, numPartitions: 4 },
  { topic: TOPICS.grantStateDlq, numPartitions: 1 },
  { topic: TOPICS.policyChangesDlq, numPartitions: 1 },
  { topic: TOPICS.accessRequestsDlq, numPartitions: 1 },
];

/** The dead-letter topic of each topic Lapse consumes (rule 15): `{error, original, source}`. */
export const DEAD_LETTER_TOPICS = {
  [TOPICS.usage]: TOPICS.usageDlq,
  [TOPICS.grantState]: TOPICS.grantStateDlq,
  [TOPICS.accessRequests]: TOPICS.accessRequestsDlq,
  [TOPICS.policyChanges]: TOPICS.policyChangesDlq,
} as const;
