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

// Every kernel is called as fn(inputs, options): `inputs` an array of tensor handles (null for an
// absent optional one), `options` an object whose properties are read by name. The declared
// description of each kernel (names, inputs, options, outputs) is
// src/engine/backends/onednn/kernel-specs.ts; the TypeScript side is typed from it.
struct Call {
  napi_env env;
  const char* kernel;
  std::vector<napi_value> inputs;
  napi_value options;

  Call(const Args& a, const char* name) : env(a.env), kernel(name), options(a[1]) {
    bool is_array;
    check(env, napi_is_array(env, a[0], &is_array), "is_array");
    if (!is_array) throw JsError(std::string(kernel) + ": inputs must be an array of tensors");
    uint32_t n;
    check(env, napi_get_array_length(env, a[0], &n), "array length");
    for (uint32_t i = 0; i < n; i++) {
      napi_value e;
      check(env, napi_get_element(env, a[0], i, &e), "array element");
      inputs.push_back(e);
    }
    napi_valuetype type;
    check(env, napi_typeof(env, options, &type), "typeof");
    if (type != napi_object) throw JsError(std::string(kernel) + ": options must be an object");
  }
  const Tensor* tensor(size_t i) const {
    if (i >= inputs.size()) throw JsError(std::string(kernel) + ": too few inputs");
    return tensor_of(env, inputs[i]);
  }
  const Tensor* optional(size_t i) const { return i < inputs.size() ? optional_tensor(env, inputs[i]) : nullptr; }
  std::vector<const Tensor*> all() const {
    std::vector<const Tensor*> out;
    for (napi_value v : inputs) out.push_back(tensor_of(env, v));
    return out;
  }
  napi_value property(const char* name) const {
    bool has = false;
    check(env, napi_has_named_property(env, options, name, &has), "has property");
    if (!has) throw JsError(std::string(kernel) + ": option '" + name + "' missing");
    napi_value v;
    check(env, napi_get_named_property(env, options, name, &v), "property");
    return v;
  }
  template <class F>
  auto read(const char* name, F f) const {
    try {
      return f(env, property(name));
    } catch (const JsError& e) {
      if (e.message.rfind(kernel, 0) == 0) throw;
      throw JsError(std::string(kernel) + ": option '" + name + "': " + e.message);
    }
  }
  double number(const char* name) const { return read(name, number_of); }
  float real(const char* name) const { return static_cast<float>(number(name)); }
  bool flag(const char* name) const { return read(name, bool_of); }
  Dims dims(const char* name) const { return read(name, dims_of); }
  std::string text(const char* name) const { return read(name, string_of); }
};

mosmos::ConvGeometry conv_geometry(const Call& c) {
  return {c.dims("stride"), c.dims("dilation"), c.dims("padL"), c.dims("padR")};
}

mosmos::PoolKind pool_kind(const Call& c) {
  const std::string k = c.text("kind");
  if (k == "max") return mosmos::PoolKind::max;
  if (k == "avg") return mosmos::PoolKind::avg_include_padding;
  if (k == "avg_exclude_padding") return mosmos::PoolKind::avg_exclude_padding;
  throw JsError(std::string(c.kernel) + ": unknown pooling kind: " + k);
}

mosmos::PoolGeometry pool_geometry(const Call& c) {
  return {c.dims("kernel"), c.dims("stride"), c.dims("dilation"), c.dims("padL"), c.dims("padR")};
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

napi_value reshape(const Args& a) {
  return wrap_tensor(a.env, mosmos::reshape(tensor_of(a.env, a[0]), dims_of(a.env, a[1])));
}

napi_value with_channel_block(const Args& a) {
  const int block = static_cast<int>(number_of(a.env, a[1]));
  return wrap_tensor(a.env, mosmos::tensor_with_channel_block(tensor_of(a.env, a[0]), block));
}

// ---- kernels (see kernel-specs.ts) ----

napi_value conv_forward(const Args& a) {
  const Call c(a, "convForward");
  return wrap_tensor(a.env, mosmos::conv_forward(c.tensor(0), c.tensor(1), c.optional(2), conv_geometry(c),
                                                 c.flag("transposed")));
}

napi_value conv_backward_data(const Args& a) {
  const Call c(a, "convBackwardData");
  return wrap_tensor(a.env, mosmos::conv_backward_data(c.tensor(0), c.tensor(1), c.dims("inputShape"),
                                                       conv_geometry(c), c.flag("transposed")));
}

napi_value conv_backward_weights(const Args& a) {
  const Call c(a, "convBackwardWeights");
  Tensor* dw = nullptr;
  Tensor* db = nullptr;
  const bool with_bias = c.flag("withBias");
  mosmos::conv_backward_weights(c.tensor(0), c.tensor(1), c.dims("filterShape"), conv_geometry(c),
                                c.flag("transposed"), &dw, with_bias ? &db : nullptr);
  std::vector<napi_value> out{wrap_tensor(a.env, dw)};
  if (with_bias) out.push_back(wrap_tensor(a.env, db));
  return js_array(a.env, out);
}

napi_value pool_forward(const Args& a) {
  const Call c(a, "poolForward");
  return wrap_tensor(a.env, mosmos::pool_forward(c.tensor(0), pool_kind(c), pool_geometry(c), c.flag("training")));
}

napi_value pool_backward(const Args& a) {
  const Call c(a, "poolBackward");
  return wrap_tensor(a.env,
                     mosmos::pool_backward(c.tensor(0), c.tensor(1), c.optional(2), pool_kind(c), pool_geometry(c)));
}

// [x, scale, shift] (training) or [x, scale, shift, mean, variance] -> [y, mean, variance] | [y]
napi_value batch_norm_forward(const Args& a) {
  const Call c(a, "batchNormForward");
  const bool training = c.flag("training");
  Tensor* mean = nullptr;
  Tensor* variance = nullptr;
  Tensor* y = mosmos::batch_norm_forward(c.tensor(0), c.tensor(1), c.tensor(2), c.optional(3), c.optional(4),
                                         c.real("epsilon"), training, &mean, &variance);
  if (!training) return js_array(a.env, {wrap_tensor(a.env, y)});
  return js_array(a.env, {wrap_tensor(a.env, y), wrap_tensor(a.env, mean), wrap_tensor(a.env, variance)});
}

napi_value batch_norm_backward(const Args& a) {
  const Call c(a, "batchNormBackward");
  Tensor *dx = nullptr, *dscale = nullptr, *dshift = nullptr;
  mosmos::batch_norm_backward(c.tensor(0), c.tensor(1), c.tensor(2), c.tensor(3), c.tensor(4), c.tensor(5),
                              c.real("epsilon"), &dx, &dscale, &dshift);
  return js_array(a.env, {wrap_tensor(a.env, dx), wrap_tensor(a.env, dscale), wrap_tensor(a.env, dshift)});
}

mosmos::InstanceNormOptions instance_norm_options(const Call& c) {
  mosmos::InstanceNormOptions o;
  o.epsilon = c.real("epsilon");
  o.activation = c.flag("leakyRelu");
  o.negative_slope = c.real("negativeSlope");
  return o;
}

// [x, scale|null, shift|null] -> [y, mean, rstd]
napi_value instance_norm_forward(const Args& a) {
  const Call c(a, "instanceNormForward");
  Tensor *mean = nullptr, *rstd = nullptr;
  Tensor* y = mosmos::instance_norm_forward(c.tensor(0), c.optional(1), c.optional(2), instance_norm_options(c),
                                            &mean, &rstd);
  return js_array(a.env, {wrap_tensor(a.env, y), wrap_tensor(a.env, mean), wrap_tensor(a.env, rstd)});
}

// [dy, x, mean, rstd, scale|null, shift|null] -> [dx, dscale, dshift]
napi_value instance_norm_backward(const Args& a) {
  const Call c(a, "instanceNormBackward");
  Tensor *dx = nullptr, *dscale = nullptr, *dshift = nullptr;
  mosmos::instance_norm_backward(c.tensor(0), c.tensor(1), c.tensor(2), c.tensor(3), c.optional(4), c.optional(5),
                                 instance_norm_options(c), &dx, &dscale, &dshift);
  return js_array(a.env, {wrap_tensor(a.env, dx), wrap_tensor(a.env, dscale), wrap_tensor(a.env, dshift)});
}

napi_value layer_norm_forward(const Args& a) {
  const Call c(a, "layerNormForward");
  Tensor *mean = nullptr, *variance = nullptr;
  Tensor* y = mosmos::layer_norm_forward(c.tensor(0), c.real("epsilon"), &mean, &variance);
  return js_array(a.env, {wrap_tensor(a.env, y), wrap_tensor(a.env, mean), wrap_tensor(a.env, variance)});
}

napi_value layer_norm_backward(const Args& a) {
  const Call c(a, "layerNormBackward");
  return wrap_tensor(a.env, mosmos::layer_norm_backward(c.tensor(0), c.tensor(1), c.tensor(2), c.tensor(3),
                                                        c.real("epsilon")));
}

napi_value eltwise(const Args& a) {
  const Call c(a, "eltwise");
  return wrap_tensor(a.env, mosmos::eltwise_forward(c.tensor(0), mosmos::eltwise_from_name(c.text("op")),
                                                    c.real("alpha"), c.real("beta")));
}

napi_value eltwise_backward(const Args& a) {
  const Call c(a, "eltwiseBackward");
  return wrap_tensor(a.env, mosmos::eltwise_backward(c.tensor(0), c.tensor(1), mosmos::eltwise_from_name(c.text("op")),
                                                     c.real("alpha"), c.real("beta")));
}

napi_value binary(const Args& a) {
  const Call c(a, "binary");
  return wrap_tensor(a.env, mosmos::binary(c.tensor(0), c.tensor(1), mosmos::binary_from_name(c.text("op"))));
}

napi_value broadcast_to(const Args& a) {
  const Call c(a, "broadcastTo");
  return wrap_tensor(a.env, mosmos::broadcast_to(c.tensor(0), c.dims("dims")));
}

napi_value softmax(const Args& a) {
  const Call c(a, "softmax");
  return wrap_tensor(a.env,
                     mosmos::softmax_forward(c.tensor(0), static_cast<int>(c.number("axis")), c.flag("log")));
}

napi_value softmax_backward(const Args& a) {
  const Call c(a, "softmaxBackward");
  return wrap_tensor(a.env, mosmos::softmax_backward(c.tensor(0), c.tensor(1), static_cast<int>(c.number("axis")),
                                                     c.flag("log")));
}

napi_value matmul(const Args& a) {
  const Call c(a, "matmul");
  return wrap_tensor(a.env, mosmos::matmul(c.tensor(0), c.tensor(1), c.flag("transposeA"), c.flag("transposeB")));
}

napi_value concat(const Args& a) {
  const Call c(a, "concat");
  return wrap_tensor(a.env, mosmos::concat(c.all(), static_cast<int>(c.number("axis"))));
}

napi_value slice(const Args& a) {
  const Call c(a, "slice");
  return wrap_tensor(a.env, mosmos::slice(c.tensor(0), c.dims("offsets"), c.dims("dims")));
}

// [x] -> [N, C] maximum over the spatial axes, or null when the layout has no direct loop.
napi_value spatial_max(const Args& a) {
  const Call c(a, "spatialMax");
  Tensor* out = mosmos::spatial_max_or_null(c.tensor(0));
  if (out != nullptr) return wrap_tensor(a.env, out);
  napi_value nothing;
  check(a.env, napi_get_null(a.env, &nothing), "null");
  return nothing;
}

napi_value permute(const Args& a) {
  const Call c(a, "permute");
  return wrap_tensor(a.env, mosmos::permute(c.tensor(0), c.dims("perm")));
}

napi_value reduce_sum(const Args& a) {
  const Call c(a, "reduceSum");
  return wrap_tensor(a.env, mosmos::reduce_sum(c.tensor(0), c.dims("dims")));
}

// [param, grad, m, v] -> [param, m, v]
napi_value adamw(const Args& a) {
  const Call c(a, "adamw");
  Tensor *p = nullptr, *m = nullptr, *v = nullptr;
  mosmos::adamw(c.tensor(0), c.tensor(1), c.tensor(2), c.tensor(3), c.real("lr"), c.real("beta1"), c.real("beta2"),
                c.real("epsilon"), c.real("weightDecay"), static_cast<int64_t>(c.number("step")), &p, &m, &v);
  return js_array(a.env, {wrap_tensor(a.env, p), wrap_tensor(a.env, m), wrap_tensor(a.env, v)});
}

// configure({ threads, bufferCacheMb, precision }): the engine's settings (src/engine/settings.ts).
napi_value configure(const Args& a) {
  const Call c(a, "configure");
  mosmos::set_threads(static_cast<int>(c.number("threads")));
  mosmos::set_buffer_cache_limit(static_cast<int64_t>(c.number("bufferCacheMb")) << 20);
  mosmos::set_precision(c.text("precision") == "bf16");
  return nullptr;
}

napi_value cpu_isa(const Args& a) { return js_string(a.env, mosmos::cpu_isa()); }

napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"version", nullptr, entry<version>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, entry<get_threads>, nullptr, nullptr, nullptr, napi_default, nullptr},
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
      {"withChannelBlock", nullptr, entry<with_channel_block>, nullptr, nullptr, nullptr, napi_default, nullptr},
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
      {"instanceNormForward", nullptr, entry<instance_norm_forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"instanceNormBackward", nullptr, entry<instance_norm_backward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"spatialMax", nullptr, entry<spatial_max>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"permute", nullptr, entry<permute>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"configure", nullptr, entry<configure>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cpuIsa", nullptr, entry<cpu_isa>, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
