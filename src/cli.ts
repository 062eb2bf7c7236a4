#!/usr/bin/env node
// Command line: `dicom-ai-node [serve]` runs the node; `dicom-ai-node segment --model <id> --input <dir>
// --output <dir>` runs a model offline on a folder of DICOM files through the server's own code
// (volume loader and inference worker pool) and writes the SEG and the SR.
import { main } from './main.js';
import { segmentFolder, UsageError } from './cli/segment.js';

async function cli(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'serve') {
    await main();
    return -1; // keeps running until a signal
  }
  if (command === 'segment') {
    const summary = await segmentFolder(parseFlags(rest));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  throw new UsageError(
    `unknown command "${command}"; use: dicom-ai-node [serve] | segment --model <id> --input <dir> --output <dir>`);
}

function parseFlags(args: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined)
      throw new UsageError(`expected --name value pairs, got "${args.slice(i).join(' ')}"`);
    flags[args[i].slice(2)] = args[i + 1];
  }
  return flags;
}

cli(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code); },
  (err) => {
    const coded = err as { code?: string; message: string };
    const prefix = coded.code && !coded.message.startsWith(coded.code) ? `${coded.code}: ` : '';
    process.stderr.write(`dicom-ai-node: ${prefix}${coded.message}\n`);
    process.exit(err instanceof UsageError ? 64 : 1);
  },
);
