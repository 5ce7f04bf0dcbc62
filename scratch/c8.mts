import { setupBackend } from '../src/backend/setup.ts';
import { claim8, verdictLine } from '../src/experiments/seedClaims/index.ts';
export {};
await setupBackend();
const r = claim8({ size: (process.argv[2] ?? 'smoke') as 'smoke' | 'full' });
console.log(verdictLine(r), r.seconds, JSON.stringify(r.details));
