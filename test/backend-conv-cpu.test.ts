/** Conv/pool first- and second-order checks on the cpu backend (see helpers/convSuite.ts). */
import { defineConvSuite } from './helpers/convSuite.ts';

defineConvSuite('cpu');
