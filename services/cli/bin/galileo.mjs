#!/usr/bin/env node
// The `galileo` bin: the repository runs TypeScript from source, so register tsx in this process
// and import src/main.ts (one process: Ctrl-C reaches the command itself).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
