import { flatnessPreset } from '../src/experiments/flatness/config.ts';
import { flatnessStudy } from '../src/experiments/flatness/study.ts';
import { estimateStudySeconds, estimatePointSeconds } from '../src/experiments/flatness/estimate.ts';
export {};
for (const s of ['quick', 'paper'] as const) {
  const st = flatnessStudy(flatnessPreset(s));
  console.log(s, st.points.length, 'points', (estimateStudySeconds(st.points, 2) / 60).toFixed(1), 'min on 2 jobs');
  if (s === 'quick') for (const p of st.points) console.log('  ', p.label, estimatePointSeconds(p).toFixed(0));
}
