/**
 * The `ibl` command. Errors are printed as one clear message and exit code 1 (2 for usage);
 * stack traces only with IBL_DEBUG=1.
 */
import { runCommand, runUsage } from './runCommand.ts';
import { sweepCommand, sweepUsage } from './sweepCommand.ts';
import { reportCommand, reportUsage } from './reportCommand.ts';
import { probeCommand, probeUsage } from './probeCommand.ts';
import { reproduceSeedClaimsCommand, reproduceSeedClaimsUsage } from './reproduceSeedClaims.ts';
import { reproduceZhangCommand, reproduceZhangUsage } from './reproduceZhang.ts';
import { reproduceInitScaleCommand, reproduceInitScaleUsage } from './reproduceInitScale.ts';
import { reproduceFlatnessCommand, reproduceFlatnessUsage } from './reproduceFlatness.ts';

const usage = `implicit-bias-lab — which minimum did the optimiser pick?

Commands:
${runUsage}

${sweepUsage}

${reportUsage}

${probeUsage}

${reproduceSeedClaimsUsage}

${reproduceZhangUsage}

${reproduceFlatnessUsage}
${reproduceInitScaleUsage}
`;

/** `ibl reproduce <study>`: published experiments, one sub-command per study. */
async function reproduce(argv: string[]): Promise<number> {
  const [study, ...rest] = argv;
  switch (study) {
    case 'seed-claims': return reproduceSeedClaimsCommand(rest);
    case 'zhang': return reproduceZhangCommand(rest);
    case 'flatness-vs-lr': return reproduceFlatnessCommand(rest);
    case 'init-scale': return reproduceInitScaleCommand(rest);
    default:
      process.stderr.write(`ibl reproduce: ${study === undefined ? 'missing study' : `unknown study '${study}'`} (known: seed-claims, zhang, flatness-vs-lr, init-scale)\n\n${reproduceSeedClaimsUsage}\n\n${reproduceZhangUsage}\n\n${reproduceFlatnessUsage}\n\n${reproduceInitScaleUsage}\n`);
      return 2;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': return runCommand(rest);
    case 'sweep': return sweepCommand(rest);
    case 'report': return reportCommand(rest);
    case 'probe': return probeCommand(rest);
    case 'reproduce': return reproduce(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`ibl: unknown command '${command}'\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`ibl: ${process.env.IBL_DEBUG ? error.stack : error.message}\n`);
    process.exit(1);
  },
);
