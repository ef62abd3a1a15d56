import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the Temporal server (tools/stack) so SREs can filter grants in the UI. */
export const SEARCH_ATTRIBUTES = {
  userId: defineSearchAttributeKey('LapseUserId', SearchAttributeType.KEYWORD),
  resourceId: defineSearchAttributeKey('LapseResourceId', SearchAttributeType.KEYWORD),
  grantState: defineSearchAttributeKey('LapseGrantState', SearchAttributeType.KEYWORD),
} as const;
