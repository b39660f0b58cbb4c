/**
 * mosmos's tensor engine: float32 tensors in N, C, (D,) H, W form, reverse-mode autograd, ops with
 * forward and backward, optimizers, schedules and safetensors I/O, over a pluggable backend
 * (plain-TypeScript reference, oneDNN native). See README.md beside this file.
 */

export { backward, noGrad } from './autograd.js';
export type { Backend, Storage, TensorInfo } from './backend.js';
export { availableBackends, getBackend, registerBackend, setBackend } from './backend-select.js';
export {
  full,
  ones,
  onesLike,
  parameter,
  randn,
  scalar,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from './creation.js';
export { runKernel, runKernel1 } from './dispatch.js';
export type * from './kernel-names.js';
export { getKernel, type KernelFunc, registeredKernels, registerKernel } from './kernel-registry.js';
export { keep, tidy } from './memory.js';
export { gelu, leakyRelu, relu, sigmoid, tanh } from './ops/activation.js';
export { argmax } from './ops/argmax.js';
export {
  add,
  div,
  equal,
  greater,
  maximum,
  minimum,
  mul,
  pow,
  scaleShift,
  sub,
  sumToShape,
} from './ops/arithmetic.js';
export { scaledDotProductAttention } from './ops/attention.js';
export { broadcastShapes } from './ops/broadcast.js';
export { type ConvOptions, conv2d, conv3d, convOutputSize } from './ops/conv.js';
export { type ConvTransposeOptions, convTranspose2d, convTranspose3d } from './ops/conv-transpose.js';
export { dropout } from './ops/dropout.js';
export { embedding } from './ops/embedding.js';
export { linear, matmul } from './ops/matmul.js';
export {
  type BatchNormOptions,
  batchNorm,
  groupNorm,
  instanceNorm,
  layerNorm,
} from './ops/normalization.js';
export { avgPool2d, avgPool3d, maxPool2d, maxPool3d, type PoolOptions } from './ops/pool.js';
export { broadcastTo, max, mean, sum } from './ops/reduction.js';
export { type InterpolationMode, interpolate, upsample } from './ops/resize.js';
export {
  clone,
  concat,
  flatten,
  pad,
  permute,
  reshape,
  slice,
  split,
  squeeze,
  transpose,
  unsqueeze,
} from './ops/shape.js';
export { logSoftmax, softmax } from './ops/softmax.js';
export { abs, clamp, exp, log, neg, sign, sqrt } from './ops/unary.js';
export { AdamW, type AdamWOptions } from './optim/adamw.js';
export { clipGradNorm } from './optim/clip.js';
export { Optimizer, type OptimizerState, type ParamGroup } from './optim/optimizer.js';
export { type LrSchedule, polyLr, warmupCosine } from './optim/schedule.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { type Bf16Support, bf16Support, type Precision, resolvePrecision } from './precision.js';
export { getRng, Rng, seed } from './random.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  entryToTensor,
  loadSafetensors,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsFile,
  saveSafetensors,
} from './safetensors.js';
export {
  configureEngine,
  type EngineSettings,
  engineSettings,
  onSettingsChange,
  type PrecisionSetting,
  parsePrecision,
} from './settings.js';
export { type GradNode, Parameter, sameShape, shapeSize, Tensor } from './tensor.js';
