// The AdamW update as one fused pass over plain memory: in TypeScript it would take ten
// broadcasted kernel calls and as many temporaries per parameter.
#include <cmath>
#include <stdexcept>

#include "dnnl_internal.h"

namespace mosmos {

void adamw(const Tensor* param, const Tensor* grad, const Tensor* m, const Tensor* v, float lr, float beta1,
           float beta2, float epsilon, float weight_decay, int64_t step, Tensor** param_out, Tensor** m_out,
           Tensor** v_out) {
  const Dims& dims = param->dims;
  if (grad->dims != dims || m->dims != dims || v->dims != dims) throw std::invalid_argument("adamw: shapes differ");
  const memory::desc md = plain_desc(dims);
  memory p0 = as_layout(param, md), g0 = as_layout(grad, md), m0 = as_layout(m, md), v0 = as_layout(v, md);
  Tensor* p1 = new_tensor(md, dims);
  Tensor* m1 = new_tensor(md, dims);
  Tensor* v1 = new_tensor(md, dims);
  const float* p = static_cast<const float*>(p0.get_data_handle());
  const float* g = static_cast<const float*>(g0.get_data_handle());
  const float* mi = static_cast<const float*>(m0.get_data_handle());
  const float* vi = static_cast<const float*>(v0.get_data_handle());
  float* po = static_cast<float*>(p1->mem.get_data_handle());
  float* mo = static_cast<float*>(m1->mem.get_data_handle());
  float* vo = static_cast<float*>(v1->mem.get_data_handle());
  const int64_t n = static_cast<int64_t>(md.get_size() / sizeof(float));
  const double correction1 = 1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(step));
  const double correction2 = 1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(step));
  const float step_size = static_cast<float>(lr / correction1);
  const float root_correction2 = static_cast<float>(std::sqrt(correction2));
  const float decay = 1.f - lr * weight_decay;
#pragma omp parallel for if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float mm = beta1 * mi[i] + (1.f - beta1) * g[i];
    const float vv = beta2 * vi[i] + (1.f - beta2) * g[i] * g[i];
    mo[i] = mm;
    vo[i] = vv;
    po[i] = p[i] * decay - step_size * mm / (std::sqrt(vv) / root_correction2 + epsilon);
  }
  *param_out = p1;
  *m_out = m1;
  *v_out = v1;
}

}  // namespace mosmos
