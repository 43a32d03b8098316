// Moved to src/domain/webhooks.ts (workflows import only src/domain); this re-export goes once nothing uses it.
export * from '../domain/webhooks';
