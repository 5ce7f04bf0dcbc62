/**
 * Whether the `native` backend's addon is built here. Tests that need it skip when it is not —
 * loudly (console.warn with the build's reason), since CI installs OpenBLAS and must run them.
 */
import { loadNativeAddon } from '../../src/backend/native/loadAddon.ts';

export function nativeAddonMissing(): string | null {
  const load = loadNativeAddon();
  return 'reason' in load ? load.reason : null;
}

/** True when the addon is built; otherwise warns (once per label) and returns false. */
export function nativeAvailable(label: string): boolean {
  const missing = nativeAddonMissing();
  if (missing) console.warn(`SKIPPED ${label}: the native backend is not available here — ${missing}`);
  return missing === null;
}
