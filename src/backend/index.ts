export { setupBackend, type BackendInfo } from './setup.ts';
export { selectBackend, requestedBackend, backendNames, type BackendName } from './selectBackend.ts';
export { installTapeOrderFix, uninstallTapeOrderFix, isTapeOrderFixInstalled } from './tapeOrderFix.ts';
export { secondOrderSelfTest } from './selfTest.ts';
export { registerConvAndPoolFixes, type AppliedFix } from './convKernels.ts';
export { withoutConvSecondOrderGradients } from './convSecondOrder.ts';
