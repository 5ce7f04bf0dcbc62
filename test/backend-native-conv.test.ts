/** Conv/pool first- and second-order checks on the native backend (see helpers/convSuite.ts). */
import { describe, it } from 'vitest';
import { defineConvSuite } from './helpers/convSuite.ts';
import { nativeAvailable } from './helpers/native.ts';

if (nativeAvailable('conv and pooling on native')) defineConvSuite('native');
else describe.skip('conv and pooling on native (addon not built)', () => { it('skipped', () => {}); });
