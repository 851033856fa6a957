// A mistake in how chat-cli was called (an option, its value, config.json): main.ts prints the
// message and the usage, and exits with 2 (docs/clients.md).
export class UsageError extends Error {}
