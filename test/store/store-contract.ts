// The contract every Store implementation must pass (docs/DEVELOPING.md: one suite, every store). A store's
// test file calls runStoreContract with a factory that makes a fresh, empty store per test.
import { describe } from 'node:test';
import { registerEntityTests } from './contract-entities.js';
import type { MakeStore } from './contract-helpers.js';
import { registerQueueTests } from './contract-queue.js';
import { registerRetentionTests } from './contract-retention.js';
import { registerSigningKeyTests } from './contract-signing-keys.js';
import { registerBanInviteTests } from './contract-bans-invites.js';
import { registerDeviceTests } from './contract-devices.js';

export type { MakeStore, StoreHandle } from './contract-helpers.js';

export function runStoreContract(name: string, makeStore: MakeStore): void {
  void describe(`${name}: store contract`, () => {
    registerEntityTests(makeStore);
    registerBanInviteTests(makeStore);
    registerQueueTests(makeStore);
    registerRetentionTests(makeStore);
    registerSigningKeyTests(makeStore);
    registerDeviceTests(makeStore);
  });
}
