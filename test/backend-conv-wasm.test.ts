/** Conv/pool first- and second-order checks on the wasm backend (see helpers/convSuite.ts). */
import { defineConvSuite } from './helpers/convSuite.ts';

defineConvSuite('wasm');
