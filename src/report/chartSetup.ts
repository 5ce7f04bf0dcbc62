/**
 * The Chart.js constructor with everything this package needs registered: the built-in
 * controllers, elements, scales and plugins, plus our 'symlog' scale. Registration is global
 * to the Chart.js module, so it happens once, here.
 */
import { Chart, registerables } from 'chart.js';
import { SymlogScale } from './symlogScale.ts';

Chart.register(...registerables, SymlogScale);

export { Chart };
