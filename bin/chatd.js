#!/usr/bin/env node
// The chatd entry point: runs the compiled server (built by `npm install` through `prepare`).
import '../dist/server/main.js';
