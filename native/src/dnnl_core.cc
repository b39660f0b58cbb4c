// Engine, stream, threads, tensors and reorders.
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "dnnl_internal.h"

namespace mosmos {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
}

namespace {
int configured_threads = 1;
}

// Debian's libdnnl is built with the OpenMP runtime, so oneDNN's thread count is OpenMP's.
void set_threads(int n) {
  configured_threads = n > 0 ? n : 1;
  omp_set_num_threads(configured_threads);
}
int get_threads() { return configured_threads; }

namespace {
bool bf16_operands = false;
}

void set_precision(bool bf16) { bf16_operands = bf16; }
bool bf16_enabled() { return bf16_operands; }

memory::desc operand_desc(const Dims& dims) {
  return memory::desc(dims, bf16_operands ? DT::bf16 : DT::f32, Tag::any);
}

std::string cpu_isa() {
  // dnnl_cpu_isa2str is in dnnl_debug.h; name the ISAs that matter here directly.
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

std::string library_version() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + (v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : "");
}

static Tag plain_tag(size_t ndims) {
  switch (ndims) {
    case 1: return Tag::a;
    case 2: return Tag::ab;
    case 3: return Tag::abc;
    case 4: return Tag::abcd;
    case 5: return Tag::abcde;
    case 6: return Tag::abcdef;
    default: throw std::invalid_argument("native tensors have 1 to 6 axes");
  }
}

memory::desc plain_desc(const Dims& dims) { return memory::desc(dims, DT::f32, plain_tag(dims.size())); }
memory::desc any_desc(const Dims& dims) { return memory::desc(dims, DT::f32, Tag::any); }

bool is_plain(const memory::desc& md) {
  return md == memory::desc(md.dims(), DT::f32, plain_tag(md.dims().size()));
}

// The channel block size of a layout blocked only on axis 1 (nChw16c and friends), else 0.
static int64_t channel_block(const memory::desc& md) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked) return 0;
  const auto& b = d.format_desc.blocking;
  if (b.inner_nblks != 1 || b.inner_idxs[0] != 1) return 0;
  return b.inner_blks[0];
}

memory::desc desc_like(const memory::desc& like, const Dims& dims) {
  return channel_blocked_desc(dims, static_cast<int>(channel_block(like)));
}

bool slow_implementation(const char* impl_name) {
  const std::string name(impl_name);
  return name.find("ref") != std::string::npos || name.find("gemm") != std::string::npos;
}

memory::desc channels_last_desc(const Dims& dims) {
  switch (dims.size()) {
    case 3: return memory::desc(dims, DT::f32, Tag::nwc);
    case 4: return memory::desc(dims, DT::f32, Tag::nhwc);
    case 5: return memory::desc(dims, DT::f32, Tag::ndhwc);
    default: return plain_desc(dims);
  }
}

memory::desc channel_blocked_desc(const Dims& dims, int block) {
  if (block == 16 || block == 8) {
    const bool b16 = block == 16;
    switch (dims.size()) {
      case 3: return memory::desc(dims, DT::f32, b16 ? Tag::nCw16c : Tag::nCw8c);
      case 4: return memory::desc(dims, DT::f32, b16 ? Tag::nChw16c : Tag::nChw8c);
      case 5: return memory::desc(dims, DT::f32, b16 ? Tag::nCdhw16c : Tag::nCdhw8c);
      default: break;
    }
  }
  return plain_desc(dims);
}

void run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args) {
  // Small ops (per-channel statistics, scalars) run on one thread: an OpenMP fork-join costs more
  // than their work, and far more when the cores are shared with other processes.
  size_t largest = 0;
  for (const auto& entry : args) largest = std::max(largest, entry.second.get_desc().get_size());
  const bool small = configured_threads > 1 && largest < (size_t{1} << 17);
  if (small) omp_set_num_threads(1);
  p.execute(cpu_stream(), args);
  cpu_stream().wait();
  if (small) omp_set_num_threads(configured_threads);
}

namespace {

struct BufferPool {
  std::unordered_map<size_t, std::vector<void*>> free;
  int64_t cached = 0;
  int64_t limit = int64_t{2048} << 20;
  std::vector<std::shared_ptr<void>> call_scratch;
};

// Never destroyed: tensors may be released by finalizers during shutdown.
BufferPool& pool() {
  static BufferPool* p = new BufferPool();
  return *p;
}

}  // namespace

void set_buffer_cache_limit(int64_t bytes) {
  pool().limit = bytes;
  if (pool().cached > bytes) release_cached_buffers();
}

std::shared_ptr<void> pooled_buffer(size_t bytes) {
  const size_t size = (std::max<size_t>(bytes, 1) + 4095) / 4096 * 4096;
  BufferPool& p = pool();
  void* ptr = nullptr;
  auto it = p.free.find(size);
  if (it != p.free.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
    p.cached -= static_cast<int64_t>(size);
  } else {
    ptr = std::aligned_alloc(4096, size);
    if (ptr == nullptr) {
      release_cached_buffers();
      ptr = std::aligned_alloc(4096, size);
      if (ptr == nullptr) throw std::bad_alloc();
    }
  }
  return std::shared_ptr<void>(ptr, [size](void* q) {
    BufferPool& bp = pool();
    if (bp.cached + static_cast<int64_t>(size) <= bp.limit) {
      bp.free[size].push_back(q);
      bp.cached += static_cast<int64_t>(size);
    } else {
      std::free(q);
    }
  });
}

int64_t release_cached_buffers() {
  BufferPool& p = pool();
  const int64_t released = p.cached;
  for (auto& entry : p.free)
    for (void* q : entry.second) std::free(q);
  p.free.clear();
  p.cached = 0;
  return released;
}

int64_t cached_buffer_bytes() { return pool().cached; }

void end_call() { pool().call_scratch.clear(); }

memory scratch_memory(const memory::desc& md) {
  std::shared_ptr<void> buffer = pooled_buffer(md.get_size());
  pool().call_scratch.push_back(buffer);
  return memory(md, cpu_engine(), buffer.get());
}

memory reorder_to(const memory& src, const memory::desc& want) {
  memory dst = scratch_memory(want);
  KeyBuilder key;
  key.add("reorder").add(src.get_desc()).add(want);
  auto& prim = cached<dnnl::reorder>(key.s, [&] { return dnnl::reorder(src, dst); });
  run(prim, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
  return dst;
}

memory cached_reorder(const Tensor* t, const memory& source, int variant, const memory::desc& want) {
  if (source.get_desc() == want) return source;
  for (const auto& r : t->reordered) {
    if (r.variant == variant && r.desc == want) return r.mem;
  }
  std::shared_ptr<void> buffer = pooled_buffer(want.get_size());
  memory dst(want, cpu_engine(), buffer.get());
  KeyBuilder key;
  key.add("reorder").add(source.get_desc()).add(want);
  auto& prim = cached<dnnl::reorder>(key.s, [&] { return dnnl::reorder(source, dst); });
  run(prim, {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, dst}});
  t->reordered.push_back({variant, want, dst, buffer});
  return dst;
}

memory as_layout(const Tensor* t, const memory::desc& want) {
  if (t->mem.get_desc() == want) return t->mem;
  return reorder_to(t->mem, want);
}

Tensor* wrap(const memory& mem, const Dims& dims) {
  auto* t = new Tensor();
  t->mem = mem;
  t->dims = dims;
  return t;
}

Tensor* new_tensor(const memory::desc& md, const Dims& dims) {
  std::shared_ptr<void> buffer = pooled_buffer(md.get_size());
  Tensor* t = wrap(memory(md, cpu_engine(), buffer.get()), dims);
  t->buffer = std::move(buffer);
  return t;
}

Tensor* tensor_from_plain(const float* data, const Dims& dims) {
  Tensor* t = new_tensor(plain_desc(dims), dims);
  std::memcpy(t->mem.get_data_handle(), data, t->mem.get_desc().get_size());
  return t;
}

void tensor_to_plain(const Tensor* t, float* out) {
  const memory::desc want = plain_desc(t->dims);
  if (t->mem.get_desc() == want) {
    std::memcpy(out, t->mem.get_data_handle(), want.get_size());
    return;
  }
  // Reorder straight into the caller's buffer.
  memory dst(want, cpu_engine(), out);
  KeyBuilder key;
  key.add("reorder").add(t->mem.get_desc()).add(want);
  auto& prim = cached<dnnl::reorder>(key.s, [&] { return dnnl::reorder(t->mem, dst); });
  run(prim, {{DNNL_ARG_FROM, t->mem}, {DNNL_ARG_TO, dst}});
}

Tensor* tensor_to_plain_tensor(const Tensor* t) {
  Tensor* out = new_tensor(plain_desc(t->dims), t->dims);
  tensor_to_plain(t, static_cast<float*>(out->mem.get_data_handle()));
  return out;
}

Tensor* tensor_with_channel_block(const Tensor* t, int block) {
  const bool blocked = (block == 8 || block == 16) && t->dims.size() >= 3 && t->dims.size() <= 5;
  if (!blocked && block != 1) throw std::invalid_argument("channel block must be 1, or 8 or 16 at rank 3-5");
  const memory::desc md = blocked ? channel_blocked_desc(t->dims, block) : plain_desc(t->dims);
  Tensor* out = new_tensor(md, t->dims);
  memory values = as_layout(t, md);
  std::memcpy(out->mem.get_data_handle(), values.get_data_handle(), md.get_size());
  return out;
}

const Dims& tensor_dims(const Tensor* t) { return t->dims; }
bool tensor_is_plain(const Tensor* t) { return is_plain(t->mem.get_desc()); }

std::string tensor_layout(const Tensor* t) {
  const memory::desc md = t->mem.get_desc();
  if (is_plain(md)) return "plain";
  const int64_t block = channel_block(md);
  return block > 0 ? "blocked:" + std::to_string(block) : "blocked";
}

void tensor_free(Tensor* t) { delete t; }

Tensor* reshape(const Tensor* t, const Dims& dims) {
  int64_t n = 1, m = 1;
  for (int64_t d : dims) n *= d;
  for (int64_t d : t->dims) m *= d;
  if (n != m) throw std::invalid_argument("reshape: element count changes");
  // A plain source is viewed in place (sharing its buffer); a blocked one is copied to plain.
  const Tensor* base = tensor_is_plain(t) ? t : nullptr;
  Tensor* owned = base == nullptr ? tensor_to_plain_tensor(t) : nullptr;
  const Tensor* src = base != nullptr ? base : owned;
  Tensor* out = wrap(memory(plain_desc(dims), cpu_engine(), src->mem.get_data_handle()), dims);
  out->buffer = src->buffer;
  out->owner = src->owner ? src->owner : src->mem;
  delete owned;
  return out;
}

KeyBuilder& KeyBuilder::add(const char* tag) {
  s += tag;
  s += '|';
  return *this;
}
KeyBuilder& KeyBuilder::add(int64_t v) {
  s += std::to_string(v);
  s += ',';
  return *this;
}
KeyBuilder& KeyBuilder::add(const Dims& d) {
  for (int64_t v : d) add(v);
  s += ';';
  return *this;
}
KeyBuilder& KeyBuilder::add(const memory::desc& md) {
  // The descriptor is a plain C struct built zero-initialised by oneDNN, so its bytes identify it.
  s.append(reinterpret_cast<const char*>(&md.data), sizeof(md.data));
  s += '#';
  return *this;
}

}  // namespace mosmos
