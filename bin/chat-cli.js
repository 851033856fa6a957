#!/usr/bin/env node
// The chat-cli entry point: runs the compiled client (built by `npm install` through `prepare`).
import '../dist/cli/main.js';
