#!/usr/bin/env node
// Committed launcher: npm links bins at install time, before dist/ is built in a fresh checkout.
import '../dist/bin.js';
