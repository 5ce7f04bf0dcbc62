import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The toolkit's own version, from package.json. */
export function toolkitVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  return cached;
}
