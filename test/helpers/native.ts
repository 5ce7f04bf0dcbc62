/**
 * Whether the `native` backend's addon is built here. Tests that need it skip when it is not —
 * loudly (console.warn with the build's reason), since CI installs OpenBLAS and must run them.
 */
import { loadNativeAddon } from '../../src/backend/native/loadAddon.ts';

export function nativeAddonMissing(): string | null {
  const load = loadNativeAddon();
  return 'reason' in load ? load.reason : null;
}

/**
 * True when the addon is built; otherwise warns (once per label) and returns false — or, with
 * IBL_NATIVE_REQUIRED=1 (set by .ci/run, which installs OpenBLAS), throws: there a skip would hide
 * a broken build behind a green run.
 */
export function nativeAvailable(label: string): boolean {
  const missing = nativeAddonMissing();
  if (missing && process.env.IBL_NATIVE_REQUIRED === '1') throw new Error(`${label}: IBL_NATIVE_REQUIRED=1 but the native backend is not available — ${missing}`);
  if (missing) console.warn(`SKIPPED ${label}: the native backend is not available here — ${missing}`);
  return missing === null;
}
