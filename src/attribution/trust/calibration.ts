import type { Calibration } from './model.js';

// Written by `npm run bench:fidelity -- --calibrate` (tuning half only). Do not edit by hand.
export const CALIBRATION_SOURCE = "the fidelity benchmark's tuning half (7 pipelines, 17160 stage-behaviour cases)";
export const CALIBRATION: Calibration = {
  "task-vector/linear": {
    "example": {
      "sgd": {
        "a": 8,
        "b": 1.6,
        "c": 0.05,
        "q": 0.16451985258493204,
        "n": 2000
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 0.2,
        "q": 0.4931006966824819,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 8,
        "b": 1.6,
        "c": 1.6,
        "q": 0.19876715080316448,
        "n": 44
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 1.6,
        "q": 0.20790708391821353,
        "n": 60
      }
    }
  },
  "task-vector/exact": {
    "example": {
      "sgd": {
        "a": 0.25,
        "b": 1.6,
        "c": 0.2,
        "q": 0.36547375797310133,
        "n": 2000
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 0.4,
        "q": 0.34326628581996277,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 0.5,
        "b": 1.6,
        "c": 0.8,
        "q": 0.27813157110437153,
        "n": 44
      },
      "adam": {
        "a": 0.5,
        "b": 0.8,
        "c": 0,
        "q": 0.49526579219170513,
        "n": 60
      }
    }
  },
  "hessian-free/linear": {
    "example": {
      "sgd": {
        "a": 8,
        "b": 1.6,
        "c": 0.05,
        "q": 0.16253145225297017,
        "n": 2000
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 0.2,
        "q": 0.493088837938327,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 8,
        "b": 1.6,
        "c": 1.6,
        "q": 0.20019647526469334,
        "n": 44
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 1.6,
        "q": 0.208040330757272,
        "n": 60
      }
    }
  },
  "hessian-free/exact": {
    "example": {
      "sgd": {
        "a": 0.25,
        "b": 1.6,
        "c": 0.2,
        "q": 0.36623582088475193,
        "n": 2000
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 0.4,
        "q": 0.34339338513668916,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 0.5,
        "b": 1.6,
        "c": 0.8,
        "q": 0.27884762317076106,
        "n": 44
      },
      "adam": {
        "a": 0.5,
        "b": 0.8,
        "c": 0,
        "q": 0.4971333550995953,
        "n": 60
      }
    }
  },
  "stage-curvature/linear": {
    "example": {
      "sgd": {
        "a": 8,
        "b": 1.6,
        "c": 0,
        "q": 0.21274984625810353,
        "n": 2000
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 0.2,
        "q": 0.493088837938327,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 4,
        "b": 1.6,
        "c": 1.6,
        "q": 0.26992034413072047,
        "n": 44
      },
      "adam": {
        "a": 2,
        "b": 1.6,
        "c": 1.6,
        "q": 0.29333791671070997,
        "n": 60
      }
    }
  },
  "stage-curvature/exact": {
    "example": {
      "sgd": {
        "a": 0,
        "b": 1.6,
        "c": 0.05,
        "q": 0.4597187629252039,
        "n": 2000
      },
      "adam": {
        "a": 8,
        "b": 1.6,
        "c": 0.4,
        "q": 0.34339338513668916,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 0.25,
        "b": 1.6,
        "c": 1.6,
        "q": 0.23116929673106368,
        "n": 44
      },
      "adam": {
        "a": 0,
        "b": 0.8,
        "c": 0.1,
        "q": 0.5206308810546005,
        "n": 60
      }
    }
  }
};
