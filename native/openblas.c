// stagecredit's optional native back-end: dgemm from the system's OpenBLAS through Node-API.
// Built at install only when libopenblas-dev is present (scripts/build-native.mjs); the TypeScript
// side (src/tensor/kernels/gemmOpenblas.ts) keeps the same contract as gemmTs.
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stddef.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "stagecredit_openblas: " #call " failed"); return NULL; } } while (0)

static double *f64_data(napi_env env, napi_value v, size_t *len) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "stagecredit_openblas: expected a Float64Array");
    return NULL;
  }
  *len = length;
  return (double *)data;
}

// dgemm(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc), row-major.
// Bounds are checked here so a wrong call throws instead of reading or writing out of range.
static napi_value dgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 16) {
    napi_throw_error(env, NULL, "stagecredit_openblas: dgemm takes 16 arguments");
    return NULL;
  }
  bool ta, tb;
  int32_t m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
  double alpha, beta;
  CHECK(napi_get_value_bool(env, argv[0], &ta));
  CHECK(napi_get_value_bool(env, argv[1], &tb));
  CHECK(napi_get_value_int32(env, argv[2], &m));
  CHECK(napi_get_value_int32(env, argv[3], &n));
  CHECK(napi_get_value_int32(env, argv[4], &k));
  CHECK(napi_get_value_double(env, argv[5], &alpha));
  CHECK(napi_get_value_int32(env, argv[7], &aOff));
  CHECK(napi_get_value_int32(env, argv[8], &lda));
  CHECK(napi_get_value_int32(env, argv[10], &bOff));
  CHECK(napi_get_value_int32(env, argv[11], &ldb));
  CHECK(napi_get_value_double(env, argv[12], &beta));
  CHECK(napi_get_value_int32(env, argv[14], &cOff));
  CHECK(napi_get_value_int32(env, argv[15], &ldc));
  size_t aLen, bLen, cLen;
  double *A = f64_data(env, argv[6], &aLen);
  if (!A) return NULL;
  double *B = f64_data(env, argv[9], &bLen);
  if (!B) return NULL;
  double *C = f64_data(env, argv[13], &cLen);
  if (!C) return NULL;
  if (m < 0 || n < 0 || k < 0 || aOff < 0 || bOff < 0 || cOff < 0) {
    napi_throw_range_error(env, NULL, "stagecredit_openblas: negative size or offset");
    return NULL;
  }
  if (m == 0 || n == 0) return NULL;
  // Last element touched: row-major op(A) is m x k (stored k x m when transposed), and so on.
  long long aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
  bool bad = lda < (aCols > 0 ? aCols : 1) || ldb < (bCols > 0 ? bCols : 1) || ldc < n
    || (k > 0 && (aOff + (aRows - 1) * (long long)lda + aCols > (long long)aLen
                  || bOff + (bRows - 1) * (long long)ldb + bCols > (long long)bLen))
    || cOff + (m - 1) * (long long)ldc + n > (long long)cLen;
  if (bad) {
    napi_throw_range_error(env, NULL, "stagecredit_openblas: dgemm operands out of range");
    return NULL;
  }
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              m, n, k, alpha, A + aOff, lda, B + bOff, ldb, beta, C + cOff, ldc);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &t));
  if (t >= 1) openblas_set_num_threads(t);
  return NULL;
}

static napi_value config(napi_env env, napi_callback_info info) {
  napi_value s;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &s));
  return s;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "dgemm", NULL, dgemm, NULL, NULL, NULL, napi_default, NULL },
    { "setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL },
    { "config", NULL, config, NULL, NULL, NULL, napi_default, NULL },
  };
  CHECK(napi_define_properties(env, exports, 3, props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
