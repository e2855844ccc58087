import type { Calibration } from './model.js';

// Written by `npm run bench:fidelity -- --calibrate` (tuning half only). Do not edit by hand.
export const CALIBRATION_SOURCE = 'nothing yet (uncalibrated)';
export const CALIBRATION: Calibration = {};
