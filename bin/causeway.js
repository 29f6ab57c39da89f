#!/usr/bin/env node
// The `causeway` command. The CLI is TypeScript compiled to dist/ by `npm run build` (run by npm install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('causeway: the CLI is not built yet. Run `npm install` (or `npm run build`) in the Causeway folder.');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
