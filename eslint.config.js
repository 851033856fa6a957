// Type-checked rules catch floating promises, which matter in a server full of async I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers, bottom up: model → store, bus → protocol (the core) → delivery, jobs → transports →
// server. shared (API client, signing, hashcash, client helpers) sits on model; the clients (web,
// cli) use only model and shared. An import never points up (docs/DEVELOPING.md).
const layer = (name) => `**/${name}/**`;
const ABOVE_MODEL = [
  'store',
  'bus',
  'shared',
  'protocol',
  'delivery',
  'jobs',
  'transports',
  'server',
  'cli',
];
const restrict = (forbidden, why, extra = []) => ({
  'no-restricted-imports': [
    'error',
    { patterns: [{ group: [...forbidden.map(layer), ...extra], message: why }] },
  ],
});
const LAYER_RULES = [
  {
    files: ['src/model/**'],
    rules: restrict([], 'src/model imports nothing: it is the vocabulary every layer shares.', [
      '../**',
      'node:*',
    ]),
  },
  {
    files: ['src/store/**', 'src/bus/**'],
    rules: restrict(
      ABOVE_MODEL.filter((l) => l !== 'store' && l !== 'bus'),
      'store and bus import only src/model (and their own interfaces).',
    ),
  },
  {
    files: ['src/shared/**'],
    rules: restrict(
      ABOVE_MODEL.filter((l) => l !== 'shared'),
      'src/shared is for the clients as much as the server: it imports only src/model.',
    ),
  },
  {
    files: ['src/protocol/**'],
    rules: restrict(
      ['delivery', 'jobs', 'transports', 'server', 'cli'],
      'the core imports no transport, delivery, jobs or server code, and no network or SQL library.',
      ['node:http', 'node:net', 'fastify', 'better-sqlite3'],
    ),
  },
  {
    files: ['src/delivery/**', 'src/jobs/**'],
    rules: restrict(['transports', 'server', 'cli'], 'delivery and jobs sit below the transports.'),
  },
  {
    files: ['src/transports/**'],
    rules: restrict(
      ['server', 'cli'],
      'a transport takes its settings; it does not read the server.',
    ),
  },
  {
    files: ['src/cli/**', 'web/src/**'],
    rules: restrict(
      ABOVE_MODEL.filter((l) => l !== 'shared' && l !== 'cli'),
      'the clients import only src/model and src/shared.',
    ),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bin/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  ...LAYER_RULES,
  {
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
  },
);
