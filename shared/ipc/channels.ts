// The contract's channel and event names as plain string lists, for the sandboxed preload: it
// cannot load zod at runtime, so it imports only this file. A test keeps it equal to the contract
// (test/ipc-contract.test.ts); add a channel there and here together.

export const CHANNELS = [
  'caseload:list', 'caseload:query',
  'clients:get', 'clients:names', 'clients:create', 'clients:update',
  'referrals:get', 'referrals:create', 'referrals:update',
  'actions:list',
  'contacts:get', 'contacts:complete', 'contacts:record', 'contacts:create-due', 'contacts:update-due', 'contacts:update-done',
  'contacts:external-referral', 'contacts:attach',
  'outbox:list', 'outbox:retry', 'outbox:discard', 'outbox:edit', 'outbox:resolve', 'outbox:send-again', 'outbox:mark-done',
  'sync:run', 'sync:cancel', 'sync:status',
  'reports:run', 'reports:compare', 'reports:export', 'reports:saved-list', 'reports:save', 'reports:delete-saved',
  'settings:get', 'settings:set-connection', 'settings:check-connection', 'settings:test-connection', 'settings:set-me', 'settings:set-scope',
  'settings:set-sync-interval', 'settings:preview-scope', 'settings:start-demo', 'settings:demo-reset',
  'dictionaries:get', 'dictionaries:search', 'dictionaries:workers',
  'drafts:get', 'drafts:save', 'drafts:clear', 'drafts:count', 'drafts:clear-all',
  'extensions:list', 'extensions:add', 'extensions:remove', 'extensions:create-record', 'extensions:update-record', 'extensions:for-referral',
  'groups:list', 'groups:set', 'groups:look-up', 'groups:remember',
] as const;

export const EVENT_NAMES = ['sync:status', 'sync:progress', 'outbox:changed', 'data:changed', 'core:status'] as const;

/** Electron delivers events on `event:<name>`, apart from the invoke channels of the same name. */
export const EVENT_WIRE_PREFIX = 'event:';
