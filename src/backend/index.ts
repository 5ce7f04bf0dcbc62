export { setupBackend, type BackendInfo } from './setup.ts';
export { selectBackend, requestedBackend, backendNames, type BackendName } from './selectBackend.ts';
export { installTapeOrderFix, uninstallTapeOrderFix, isTapeOrderFixInstalled } from './tapeOrderFix.ts';
export { secondOrderSelfTest } from './selfTest.ts';
