import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
} from '@temporalio/common';
import type { GrantState } from './domain';

/** Registered on the Temporal server (tools/stack) so SREs can filter grants in the UI. */
export const SEARCH_ATTRIBUTES = {
  userId: defineSearchAttributeKey('LapseUserId', SearchAttributeType.KEYWORD),
  resourceId: defineSearchAttributeKey('LapseResourceId', SearchAttributeType.KEYWORD),
  grantState: defineSearchAttributeKey('LapseGrantState', SearchAttributeType.KEYWORD),
} as const;

/**
 * A grant's search attributes. Whoever starts a grant workflow sets them with its initial state,
 * so the workflow's first task has nothing to upsert.
 */
export function grantSearchAttributes(grant: {
  userId: string;
  resourceId: string;
  state: GrantState;
}): SearchAttributePair[] {
  return [
    { key: SEARCH_ATTRIBUTES.userId, value: grant.userId },
    { key: SEARCH_ATTRIBUTES.resourceId, value: grant.resourceId },
    { key: SEARCH_ATTRIBUTES.grantState, value: grant.state },
  ];
}
