/**
 * abx's entry point: builds the commander program, runs it, and maps errors to
 * exit codes. ConfigError (and commander's usage errors) → one line, exit 2.
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import type { Command as PlainCommand } from 'commander';
import { ConfigError, EXIT } from '../errors.js';
import { abxVersion } from '../version.js';
import { declareRunFlags, refuseUnsupportedAbFlags } from './run-flags.js';
import { guardStdio } from './stdio.js';
import { suggestCommand } from './suggest.js';

export function buildProgram() {
  const program = new Command('abx')
    .usage('[options] <url>   |   abx <command> ...')
    .description(
      'ApacheBench-compatible HTTP load tester that shows an AWS Auto Scaling group scaling while it runs.\n' +
        'Try `abx demo`: load + scaling against a local simulated ALB and Auto Scaling group, no AWS account needed.',
    )
    .argument('[url]', 'http:// or https:// URL to load')
    .version(abxVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .showSuggestionAfterError(true)
    // Options after a subcommand belong to it (`abx demo -t 20s` is demo's -t, not the run's).
    .enablePositionalOptions()
    .allowExcessArguments(false);
  // Every run flag, declared once; its type (RunFlags) is inferred from this declaration.
  const run = declareRunFlags(program);
  refuseUnsupportedAbFlags(program);

  run.action(async (url, flags) => {
    const { runCommand } = await import('./run.js');
    process.exitCode = await runCommand(url, flags);
  });
  return run;
}

type Program = ReturnType<typeof buildProgram>;

async function registerSubcommands(program: Program): Promise<void> {
  const [
    { registerLabCommand },
    { registerWatchCommand },
    { registerReportCommands },
    { registerDemoCommand },
    { registerCheckCommand },
    { registerFleetCommand },
  ] = await Promise.all([
    import('./lab.js'),
    import('./watch.js'),
    import('./report.js'),
    import('./demo.js'),
    import('./check.js'),
    import('./fleet.js'),
  ]);
  registerDemoCommand(program);
  registerLabCommand(program);
  // Same commander class at run time; `abx watch` still declares its flags with commander's own types.
  registerWatchCommand(program as unknown as PlainCommand);
  registerReportCommands(program);
  registerCheckCommand(program);
  registerFleetCommand(program);
}

export async function main(argv: string[]): Promise<void> {
  // Before anything is written: a closed pipe or a full disk must never be an unhandled 'error' event.
  guardStdio();
  // The AWS SDK warns once on Node 20 that its future versions need Node 22:
  // that is about a future upgrade of abx, not something an abx user can act
  // on. Set here, by the CLI that owns the process, never by library code.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The one call scripts make at start-up: answer it before loading any command.
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '-V' || args[0] === '--version')) {
    process.stdout.write(`${abxVersion()}\n`);
    return;
  }
  const program = buildProgram();
  await registerSubcommands(program);
  const commands = program.commands.map((c) => c.name());
  // `abx help` and `abx help COMMAND`, as git and npm answer them.
  if (args[0] === 'help') {
    const name = args[1];
    const command = name === undefined ? program : program.commands.find((c) => c.name() === name);
    if (!command) {
      process.stderr.write(`abx: no command "${name}": the commands are ${commands.join(', ')} (see abx --help)\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stdout.write(command.helpInformation());
    return;
  }
  const typo = suggestCommand(args[0], commands);
  if (typo !== null) {
    process.stderr.write(`abx: "${args[0]}" is neither a URL nor a command: did you mean \`abx ${typo}\`? (see abx --help)\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  // Usage errors inside a subcommand point at that subcommand's help.
  const subcommand = args.find((a) => commands.includes(a));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error, subcommand ? `abx ${subcommand} --help` : 'abx --help');
  }
}

function exitCodeFor(error: unknown, help: string): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    process.stderr.write(`abx: ${error.message.replace(/^error: /, '')} (see ${help})\n`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`abx: ${error.message}\n`);
    return EXIT.usage;
  }
  // A bug, not bad input: say so in one line; the stack only with ABX_DEBUG.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `abx: internal error: ${message.split('\n')[0]}${process.env.ABX_DEBUG ? `\n${(error as Error).stack}` : ' (set ABX_DEBUG=1 for details)'}\n`,
  );
  return EXIT.failed;
}

await main(process.argv);
