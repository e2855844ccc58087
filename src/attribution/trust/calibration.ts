import type { Calibration } from './model.js';

// Written by `npm run bench:fidelity -- --calibrate` (tuning half only). Do not edit by hand.
export const CALIBRATION_SOURCE = "the fidelity benchmark's tuning half (7 pipelines, 17160 stage-behaviour cases)";
export const CALIBRATION: Calibration = {
  "task-vector/linear": {
    "example": {
      "sgd": {
        "a": 2,
        "b": 0.8,
        "c": 0.05,
        "q": 0.35090323274697655,
        "n": 2000
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.4929568629339922,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.3285625741133879,
        "n": 44
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.3285625741133879,
        "n": 60
      }
    }
  },
  "task-vector/exact": {
    "example": {
      "sgd": {
        "a": 0.25,
        "b": 0.8,
        "c": 0.2,
        "q": 0.5081777452392227,
        "n": 2000
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.4,
        "q": 0.48821023032575533,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 0.5,
        "b": 0.8,
        "c": 0.8,
        "q": 0.3565918177711882,
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
        "a": 2,
        "b": 0.8,
        "c": 0.05,
        "q": 0.35297970187840844,
        "n": 2000
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.49307320915753755,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.33045654877665703,
        "n": 44
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.33045654877665703,
        "n": 60
      }
    }
  },
  "hessian-free/exact": {
    "example": {
      "sgd": {
        "a": 0.25,
        "b": 0.8,
        "c": 0.2,
        "q": 0.5089507468028883,
        "n": 2000
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.4,
        "q": 0.48802565990992014,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 0.5,
        "b": 0.8,
        "c": 0.8,
        "q": 0.35773932316945,
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
        "a": 2,
        "b": 0.8,
        "c": 0,
        "q": 0.46984595555511444,
        "n": 2000
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.49307320915753755,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 2,
        "b": 0.4,
        "c": 0.8,
        "q": 0.4051408104733746,
        "n": 44
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.8,
        "q": 0.3874389808008187,
        "n": 60
      }
    }
  },
  "stage-curvature/exact": {
    "example": {
      "sgd": {
        "a": 0,
        "b": 0.8,
        "c": 0.05,
        "q": 0.6541650830314288,
        "n": 2000
      },
      "adam": {
        "a": 2,
        "b": 0.8,
        "c": 0.4,
        "q": 0.48802565990992014,
        "n": 800
      }
    },
    "aggregate": {
      "sgd": {
        "a": 0.25,
        "b": 0.8,
        "c": 0.8,
        "q": 0.36141557562005927,
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
