/**
 * The fresh-machine path: with the native addon absent (IBL_NATIVE_ADDON points at a missing
 * file, as when `npm install` found no BLAS), setup picks wasm and records why native was
 * skipped, and a forced IBL_BACKEND=native fails naming what is missing. Needs no addon.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../src/backend/index.ts';
import { loadNativeAddon } from '../src/backend/native/loadAddon.ts';

describe('native backend absent', () => {
  it('auto selection falls back to wasm and records the reason in BackendInfo.skipped', async () => {
    process.env.IBL_NATIVE_ADDON = '/nonexistent/ibl_native.node';
    delete process.env.IBL_BACKEND;
    const info = await setupBackend();
    expect(info.name).toBe('wasm');
    const native = info.skipped.find((s) => s.startsWith('native:'));
    expect(native).toContain('no addon at /nonexistent/ibl_native.node');
    expect(info.native).toBeUndefined();
    expect(info.secondOrderSelfTest.every((line) => line.startsWith('ok'))).toBe(true);
  });

  it('IBL_BACKEND=native fails and names what is missing', async () => {
    process.env.IBL_NATIVE_ADDON = '/nonexistent/ibl_native.node';
    await expect(setupBackend('native')).rejects.toThrow(/backend 'native' was requested.*no addon at \/nonexistent\/ibl_native\.node/);
  });

  it('a file that is not a loadable addon is reported, not thrown', () => {
    const bogus = join(mkdtempSync(join(tmpdir(), 'ibl-native-')), 'ibl_native.node');
    writeFileSync(bogus, 'not a shared object');
    process.env.IBL_NATIVE_ADDON = bogus;
    const load = loadNativeAddon();
    expect('reason' in load && load.reason).toMatch(/failed to load/);
  });
});
