// N-API binding: marshals JS values to the oneDNN layer (mosmos_dnnl.h) and back. No oneDNN
// type appears here. Tensors cross as external objects owning a Tensor*; dispose() frees
// them early and a GC finalizer is the safety net. All calls are synchronous: the work is
// compute-bound and the engine is single-threaded from JavaScript's point of view.
#include <node_api.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "mosmos_dnnl.h"

namespace {

using mosmos::Dims;
using mosmos::Tensor;

struct Handle {
  Tensor* tensor;
  int64_t bytes;
};

int64_t live_bytes = 0;

// Native tensors are freed by dispose()/tidy(); the GC finalizer is only a safety net for leaked
// handles. Telling V8 about every byte made it run a full mark-compact each time a training
// step's live activations grew by 64 MB (twice per 2D U-Net step, 2-8 ms each, in the middle of
// kernels), so only the live bytes above this allowance count as GC pressure: leaks still drive
// collections once they are large, ordinary working sets do not.
constexpr int64_t kUnreportedBytes = int64_t{1} << 30;

void change_live_bytes(napi_env env, int64_t delta) {
  const int64_t reported_before = std::max<int64_t>(0, live_bytes - kUnreportedBytes);
  live_bytes += delta;
  const int64_t reported_after = std::max<int64_t>(0, live_bytes - kUnreportedBytes);
  if (reported_after != reported_before) {
    int64_t ignored;
    napi_adjust_external_memory(env, reported_after - reported_before, &ignored);
  }
}

const napi_type_tag kTensorTag = {0x6d6f736d6f73746eULL, 0x646e6e6c74656e73ULL};

struct JsError : std::exception {
  std::string message;
  explicit JsError(std::string m) : message(std::move(m)) {}
};

void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw JsError(std::string("N-API call failed: ") + what);
}

int64_t element_count(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

void finalize_handle(napi_env env, void* data, void*) {
  auto* h = static_cast<Handle*>(data);
  if (h->tensor != nullptr) {
    mosmos::tensor_free(h->tensor);
    change_live_bytes(env, -h->bytes);
  }
  delete h;
}

napi_value wrap_tensor(napi_env env, Tensor* t) {
  auto* h = new Handle{t, element_count(mosmos::tensor_dims(t)) * 4};
  napi_value result;
  napi_status status = napi_create_external(env, h, finalize_handle, nullptr, &result);
  if (status != napi_ok) {
    mosmos::tensor_free(t);
    delete h;
    throw JsError("could not wrap a native tensor");
  }
  check(env, napi_type_tag_object(env, result, &kTensorTag), "type tag");
  change_live_bytes(env, h->bytes);
  return result;
}

Handle* handle_of(napi_env env, napi_value v) {
  bool ours = false;
  napi_valuetype type;
  check(env, napi_typeof(env, v, &type), "typeof");
  if (type == napi_external) check(env, napi_check_object_type_tag(env, v, &kTensorTag, &ours), "type tag");
  if (!ours) throw JsError("expected a native tensor handle");
  void* data;
  check(env, napi_get_value_external(env, v, &data), "external");
  return static_cast<Handle*>(data);
}

const Tensor* tensor_of(napi_env env, napi_value v) {
  Handle* h = handle_of(env, v);
  if (h->tensor == nullptr) throw JsError("native tensor used after dispose");
  return h->tensor;
}

const Tensor* optional_tensor(napi_env env, napi_value v) {
  napi_valuetype type;
  check(env, napi_typeof(env, v, &type), "typeof");
  if (type == napi_null || type == napi_undefined) return nullptr;
  return tensor_of(env, v);
}

double number_of(napi_env env, napi_value v) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw JsError("expected a number");
  return d;
}

bool bool_of(napi_env env, napi_value v) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) throw JsError("expected a boolean");
  return b;
}

std::string string_of(napi_env env, napi_value v) {
  char buf[64];
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok) throw JsError("expected a string");
  return std::string(buf, len);
}

Dims dims_of(napi_env env, napi_value v) {
  bool is_array;
  check(env, napi_is_array(env, v, &is_array), "is_array");
  if (!is_array) throw JsError("expected an array of integers");
  uint32_t n;
  check(env, napi_get_array_length(env, v, &n), "array length");
  Dims out(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    check(env, napi_get_element(env, v, i, &e), "array element");
    out[i] = static_cast<int64_t>(number_of(env, e));
  }
  return out;
}

napi_value js_number(napi_env env, double d) {
  napi_value v;
  check(env, napi_create_double(env, d, &v), "number");
  return v;
}

napi_value js_string(napi_env env, const std::string& s) {
  napi_value v;
  check(env, napi_create_string_utf8(env, s.data(), s.size(), &v), "string");
  return v;
}

napi_value js_array(napi_env env, const std::vector<napi_value>& items) {
  napi_value arr;
  check(env, napi_create_array_with_length(env, items.size(), &arr), "array");
  for (size_t i = 0; i < items.size(); i++) check(env, napi_set_element(env, arr, i, items[i]), "array set");
  return arr;
}

struct Args {
  napi_env env;
  std::vector<napi_value> v;
  napi_value operator[](size_t i) const {
    if (i >= v.size()) throw JsError("too few arguments");
    return v[i];
  }
};

using Impl = napi_value (*)(const Args&);

// Every exported function goes through here so C++ exceptions (oneDNN errors, bad shapes)
// become JavaScript errors instead of aborting the process.
template <Impl F>
napi_value entry(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  try {
    napi_value result = F(Args{env, std::vector<napi_value>(argv, argv + argc)});
    mosmos::end_call();
    return result;
  } catch (const JsError& e) {
    mosmos::end_call();
    napi_throw_error(env, nullptr, e.message.c_str());
  } catch (const std::exception& e) {
    mosmos::end_call();
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  }
  return nullptr;
}

mosmos::ConvGeometry conv_geometry(const Args& a, size_t first) {
  return {dims_of(a.env, a[first]), dims_of(a.env, a[first + 1]), dims_of(a.env, a[first + 2]),
          dims_of(a.env, a[first + 3])};
}

mosmos::PoolKind pool_kind(const Args& a, size_t i) {
  const std::string k = string_of(a.env, a[i]);
  if (k == "max") return mosmos::PoolKind::max;
  if (k == "avg") return mosmos::PoolKind::avg_include_padding;
  if (k == "avg_exclude_padding") return mosmos::PoolKind::avg_exclude_padding;
  throw JsError("unknown pooling kind: " + k);
}

mosmos::PoolGeometry pool_geometry(const Args& a, size_t first) {
  return {dims_of(a.env, a[first]), dims_of(a.env, a[first + 1]), dims_of(a.env, a[first + 2]),
          dims_of(a.env, a[first + 3]), dims_of(a.env, a[first + 4])};
}

// ---- tensors ----

napi_value from_float32(const Args& a) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(a.env, a[0], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_float32_array) {
    throw JsError("expected a Float32Array");
  }
  const Dims dims = dims_of(a.env, a[1]);
  if (element_count(dims) != static_cast<int64_t>(length)) throw JsError("values do not match the shape");
  return wrap_tensor(a.env, mosmos::tensor_from_plain(static_cast<const float*>(data), dims));
}

napi_value to_float32(const Args& a) {
  const Tensor* t = tensor_of(a.env, a[0]);
  const size_t n = static_cast<size_t>(element_count(mosmos::tensor_dims(t)));
  void* data;
  napi_value buffer, array;
  check(a.env, napi_create_arraybuffer(a.env, n * 4, &data, &buffer), "arraybuffer");
  mosmos::tensor_to_plain(t, static_cast<float*>(data));
  check(a.env, napi_create_typedarray(a.env, napi_float32_array, n, buffer, 0, &array), "typedarray");
  return array;
}

napi_value dispose(const Args& a) {
  Handle* h = handle_of(a.env, a[0]);
  if (h->tensor != nullptr) {
    mosmos::tensor_free(h->tensor);
    h->tensor = nullptr;
    change_live_bytes(a.env, -h->bytes);
  }
  return nullptr;
}

napi_value dims(const Args& a) {
  std::vector<napi_value> items;
  for (int64_t d : mosmos::tensor_dims(tensor_of(a.env, a[0]))) items.push_back(js_number(a.env, d));
  return js_array(a.env, items);
}

napi_value alive(const Args& a) {
  napi_value v;
  check(a.env, napi_get_boolean(a.env, handle_of(a.env, a[0])->tensor != nullptr, &v), "boolean");
  return v;
}

napi_value layout(const Args& a) { return js_string(a.env, mosmos::tensor_layout(tensor_of(a.env, a[0]))); }
napi_value live(const Args& a) { return js_number(a.env, static_cast<double>(live_bytes)); }
napi_value cached_bytes(const Args& a) { return js_number(a.env, static_cast<double>(mosmos::cached_buffer_bytes())); }
napi_value release_cache(const Args& a) {
  return js_number(a.env, static_cast<double>(mosmos::release_cached_buffers()));
}
napi_value version(const Args& a) { return js_string(a.env, mosmos::library_version()); }
napi_value get_threads(const Args& a) { return js_number(a.env, mosmos::get_threads()); }
napi_value set_threads(const Args& a) {
  mosmos::set_threads(static_cast<int>(number_of(a.env, a[0])));
  return nullptr;
}

napi_value reshape(const Args& a) {
  return wrap_tensor(a.env, mosmos::reshape(tensor_of(a.env, a[0]), dims_of(a.env, a[1])));
}

// ---- convolution ----
// convForward(x, w, bias|null, stride, dilation, padL, padR, transposed)
napi_value conv_forward(const Args& a) {
  return wrap_tensor(a.env, mosmos::conv_forward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                                 optional_tensor(a.env, a[2]), conv_geometry(a, 3),
                                                 bool_of(a.env, a[7])));
}

// convBackwardData(dy, w, xShape, stride, dilation, padL, padR, transposed)
napi_value conv_backward_data(const Args& a) {
  return wrap_tensor(a.env, mosmos::conv_backward_data(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                                       dims_of(a.env, a[2]), conv_geometry(a, 3),
                                                       bool_of(a.env, a[7])));
}

// convBackwardWeights(x, dy, wShape, stride, dilation, padL, padR, transposed, withBias) -> [dw, db?]
napi_value conv_backward_weights(const Args& a) {
  Tensor* dw = nullptr;
  Tensor* db = nullptr;
  const bool with_bias = bool_of(a.env, a[8]);
  mosmos::conv_backward_weights(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]), dims_of(a.env, a[2]),
                                conv_geometry(a, 3), bool_of(a.env, a[7]), &dw, with_bias ? &db : nullptr);
  std::vector<napi_value> out{wrap_tensor(a.env, dw)};
  if (with_bias) out.push_back(wrap_tensor(a.env, db));
  return js_array(a.env, out);
}

// ---- pooling ----
// poolForward(x, kind, kernel, stride, dilation, padL, padR, training)
napi_value pool_forward(const Args& a) {
  return wrap_tensor(a.env, mosmos::pool_forward(tensor_of(a.env, a[0]), pool_kind(a, 1), pool_geometry(a, 2),
                                                 bool_of(a.env, a[7])));
}

// poolBackward(dy, x, y|null, kind, kernel, stride, dilation, padL, padR)
napi_value pool_backward(const Args& a) {
  return wrap_tensor(a.env, mosmos::pool_backward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                                  optional_tensor(a.env, a[2]), pool_kind(a, 3),
                                                  pool_geometry(a, 4)));
}

// ---- batch norm ----
// batchNormForward(x, scale, shift, mean|null, var|null, eps, training) -> [y, mean, var] | y
napi_value batch_norm_forward(const Args& a) {
  const bool training = bool_of(a.env, a[6]);
  Tensor* mean = nullptr;
  Tensor* variance = nullptr;
  Tensor* y = mosmos::batch_norm_forward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]), tensor_of(a.env, a[2]),
                                         optional_tensor(a.env, a[3]), optional_tensor(a.env, a[4]),
                                         static_cast<float>(number_of(a.env, a[5])), training, &mean, &variance);
  if (!training) return wrap_tensor(a.env, y);
  return js_array(a.env, {wrap_tensor(a.env, y), wrap_tensor(a.env, mean), wrap_tensor(a.env, variance)});
}

// batchNormBackward(dy, x, scale, shift, mean, var, eps) -> [dx, dscale, dshift]
napi_value batch_norm_backward(const Args& a) {
  Tensor *dx = nullptr, *dscale = nullptr, *dshift = nullptr;
  mosmos::batch_norm_backward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]), tensor_of(a.env, a[2]),
                              tensor_of(a.env, a[3]), tensor_of(a.env, a[4]), tensor_of(a.env, a[5]),
                              static_cast<float>(number_of(a.env, a[6])), &dx, &dscale, &dshift);
  return js_array(a.env, {wrap_tensor(a.env, dx), wrap_tensor(a.env, dscale), wrap_tensor(a.env, dshift)});
}

// layerNormForward(x, eps) -> [y, mean, var]; layerNormBackward(dy, x, mean, var, eps) -> dx
napi_value layer_norm_forward(const Args& a) {
  Tensor *mean = nullptr, *variance = nullptr;
  Tensor* y = mosmos::layer_norm_forward(tensor_of(a.env, a[0]), static_cast<float>(number_of(a.env, a[1])), &mean,
                                         &variance);
  return js_array(a.env, {wrap_tensor(a.env, y), wrap_tensor(a.env, mean), wrap_tensor(a.env, variance)});
}
napi_value layer_norm_backward(const Args& a) {
  return wrap_tensor(a.env, mosmos::layer_norm_backward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                                        tensor_of(a.env, a[2]), tensor_of(a.env, a[3]),
                                                        static_cast<float>(number_of(a.env, a[4]))));
}

// ---- element-wise ----
// eltwise(x, name, alpha, beta)
napi_value eltwise(const Args& a) {
  return wrap_tensor(a.env, mosmos::eltwise_forward(tensor_of(a.env, a[0]),
                                                    mosmos::eltwise_from_name(string_of(a.env, a[1])),
                                                    static_cast<float>(number_of(a.env, a[2])),
                                                    static_cast<float>(number_of(a.env, a[3]))));
}

// eltwiseBackward(dy, x, name, alpha, beta)
napi_value eltwise_backward(const Args& a) {
  return wrap_tensor(a.env, mosmos::eltwise_backward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                                     mosmos::eltwise_from_name(string_of(a.env, a[2])),
                                                     static_cast<float>(number_of(a.env, a[3])),
                                                     static_cast<float>(number_of(a.env, a[4]))));
}

// binary(a, b, name)
napi_value binary(const Args& a) {
  return wrap_tensor(a.env, mosmos::binary(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                           mosmos::binary_from_name(string_of(a.env, a[2]))));
}

// broadcastTo(a, dims)
napi_value broadcast_to(const Args& a) {
  return wrap_tensor(a.env, mosmos::broadcast_to(tensor_of(a.env, a[0]), dims_of(a.env, a[1])));
}

// softmax(x, axis, log), softmaxBackward(dy, y, axis, log)
napi_value softmax(const Args& a) {
  return wrap_tensor(a.env, mosmos::softmax_forward(tensor_of(a.env, a[0]), static_cast<int>(number_of(a.env, a[1])),
                                                    bool_of(a.env, a[2])));
}
napi_value softmax_backward(const Args& a) {
  return wrap_tensor(a.env, mosmos::softmax_backward(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]),
                                                     static_cast<int>(number_of(a.env, a[2])), bool_of(a.env, a[3])));
}

// matmul(a, b, transA, transB)
napi_value matmul(const Args& a) {
  return wrap_tensor(a.env, mosmos::matmul(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]), bool_of(a.env, a[2]),
                                           bool_of(a.env, a[3])));
}

// concat([tensors], axis)
napi_value concat(const Args& a) {
  bool is_array;
  check(a.env, napi_is_array(a.env, a[0], &is_array), "is_array");
  if (!is_array) throw JsError("concat expects an array of tensors");
  uint32_t n;
  check(a.env, napi_get_array_length(a.env, a[0], &n), "array length");
  std::vector<const Tensor*> parts;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    check(a.env, napi_get_element(a.env, a[0], i, &e), "array element");
    parts.push_back(tensor_of(a.env, e));
  }
  return wrap_tensor(a.env, mosmos::concat(parts, static_cast<int>(number_of(a.env, a[1]))));
}

// slice(x, offsets, dims), reduceSum(x, dims)
napi_value slice(const Args& a) {
  return wrap_tensor(a.env, mosmos::slice(tensor_of(a.env, a[0]), dims_of(a.env, a[1]), dims_of(a.env, a[2])));
}
napi_value reduce_sum(const Args& a) {
  return wrap_tensor(a.env, mosmos::reduce_sum(tensor_of(a.env, a[0]), dims_of(a.env, a[1])));
}

// adamw(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step) -> [param, m, v]
napi_value adamw(const Args& a) {
  Tensor *p = nullptr, *m = nullptr, *v = nullptr;
  mosmos::adamw(tensor_of(a.env, a[0]), tensor_of(a.env, a[1]), tensor_of(a.env, a[2]), tensor_of(a.env, a[3]),
                static_cast<float>(number_of(a.env, a[4])), static_cast<float>(number_of(a.env, a[5])),
                static_cast<float>(number_of(a.env, a[6])), static_cast<float>(number_of(a.env, a[7])),
                static_cast<float>(number_of(a.env, a[8])), static_cast<int64_t>(number_of(a.env, a[9])), &p, &m, &v);
  return js_array(a.env, {wrap_tensor(a.env, p), wrap_tensor(a.env, m), wrap_tensor(a.env, v)});
}

napi_value init(napi_env env, napi_value exports) {
  const char* env_threads = std::getenv("MOSMOS_THREADS");
  mosmos::set_threads(env_threads != nullptr && std::atoi(env_threads) > 0 ? std::atoi(env_threads) : 2);
  const napi_property_descriptor props[] = {
      {"version", nullptr, entry<version>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, entry<get_threads>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, entry<set_threads>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"liveBytes", nullptr, entry<live>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cachedBytes", nullptr, entry<cached_bytes>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"releaseCache", nullptr, entry<release_cache>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fromFloat32", nullptr, entry<from_float32>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"toFloat32", nullptr, entry<to_float32>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dispose", nullptr, entry<dispose>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dims", nullptr, entry<dims>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"alive", nullptr, entry<alive>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layout", nullptr, entry<layout>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reshape", nullptr, entry<reshape>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convForward", nullptr, entry<conv_forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convBackwardData", nullptr, entry<conv_backward_data>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convBackwardWeights", nullptr, entry<conv_backward_weights>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"poolForward", nullptr, entry<pool_forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"poolBackward", nullptr, entry<pool_backward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, entry<batch_norm_forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, entry<batch_norm_backward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormForward", nullptr, entry<layer_norm_forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormBackward", nullptr, entry<layer_norm_backward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"eltwise", nullptr, entry<eltwise>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"eltwiseBackward", nullptr, entry<eltwise_backward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, entry<binary>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"broadcastTo", nullptr, entry<broadcast_to>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, entry<softmax>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxBackward", nullptr, entry<softmax_backward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, entry<matmul>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, entry<concat>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slice", nullptr, entry<slice>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, entry<reduce_sum>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, entry<adamw>, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
