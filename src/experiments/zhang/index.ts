export { zhangConfigSchema, zhangPreset, zhangScales, type ZhangConfig, type ZhangScale } from './config.ts';
export { planZhangRuns, runZhangSweep, zhangCorruptions, convTrainingSupport, type ZhangRunResult, type ZhangRunSpec, type ZhangCorruption, type ZhangVariant } from './sweep.ts';
export { writeZhangReport, figureA, figureB, figureC, figureD, table1, fitTable } from './report.ts';
