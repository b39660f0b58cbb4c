/**
 * Kernel names and their attribute types, in one place (tfjs style). A backend implements any subset;
 * ops fall back to the reference kernel for the rest. Shapes follow PyTorch: activations are
 * N, C, (D,) H, W; convolution filters are [Cout, Cin, k...]; transposed-convolution filters are
 * [Cin, Cout, k...]. Spatial attributes have one entry per spatial axis (2 for 2D, 3 for 3D).
 */

export type NoAttrs = Record<string, never>;

/** Convolution geometry; padding is symmetric (the same before and after on each axis). */
export interface InstanceNormAttrs {
  epsilon: number;
  affine: boolean;
  /** Leaky ReLU slope applied after the affine; null = no activation. */
  negativeSlope: number | null;
}

export interface ConvAttrs {
  stride: number[];
  padding: number[];
  dilation: number[];
}
export interface ConvBackpropInputAttrs extends ConvAttrs {
  /** Shape of the convolution's input, i.e. of the result. */
  inputShape: number[];
}
export interface ConvBackpropFilterAttrs extends ConvAttrs {
  filterShape: number[];
}
export interface PoolAttrs {
  kernelSize: number[];
  stride: number[];
  padding: number[];
}
export interface PoolGradAttrs extends PoolAttrs {
  inputShape: number[];
}
export interface ResizeAttrs {
  /** Output spatial size. */
  size: number[];
}
export interface ResizeGradAttrs {
  inputShape: number[];
}
export interface AxesAttrs {
  axes: number[];
  keepDims: boolean;
}

export interface KernelAttrMap {
  // Binary elementwise, NumPy broadcasting.
  Add: NoAttrs;
  Sub: NoAttrs;
  Mul: NoAttrs;
  Div: NoAttrs;
  Pow: NoAttrs;
  Maximum: NoAttrs;
  Minimum: NoAttrs;
  /** 1 where a == b, else 0. */
  Equal: NoAttrs;
  /** 1 where a > b, else 0. */
  Greater: NoAttrs;
  // Unary elementwise.
  Neg: NoAttrs;
  Exp: NoAttrs;
  Log: NoAttrs;
  Sqrt: NoAttrs;
  Abs: NoAttrs;
  Sign: NoAttrs;
  Relu: NoAttrs;
  LeakyRelu: { alpha: number };
  /** GELU with the exact erf form (PyTorch's default). */
  Gelu: NoAttrs;
  Sigmoid: NoAttrs;
  Tanh: NoAttrs;
  Clamp: { min: number; max: number };
  /** scale * x + shift (oneDNN's eltwise_linear). */
  ScaleShift: { scale: number; shift: number };
  PowScalar: { exponent: number };
  // Elementwise gradients: inputs [dy, x].
  ReluGrad: NoAttrs;
  LeakyReluGrad: { alpha: number };
  GeluGrad: NoAttrs;
  ClampGrad: { min: number; max: number };
  // Reductions.
  Sum: AxesAttrs;
  Max: AxesAttrs;
  BroadcastTo: { shape: number[] };
  /** Softmax along one axis. */
  Softmax: { axis: number };
  LogSoftmax: { axis: number };
  /** Inputs [dy, y] with y = softmax(x): dx = y (dy − Σ dy y) along the axis. */
  SoftmaxGrad: { axis: number };
  /** Inputs [dy, y] with y = logSoftmax(x): dx = dy − exp(y) Σ dy along the axis. */
  LogSoftmaxGrad: { axis: number };
  /** Batched matrix product over the last two axes, batch axes broadcast. */
  MatMul: { transposeA: boolean; transposeB: boolean };
  // Convolution: inputs [x, w]; backprop input: [dy, w]; backprop filter: [x, dy].
  Conv2D: ConvAttrs;
  Conv3D: ConvAttrs;
  Conv2DBackpropInput: ConvBackpropInputAttrs;
  Conv3DBackpropInput: ConvBackpropInputAttrs;
  Conv2DBackpropFilter: ConvBackpropFilterAttrs;
  Conv3DBackpropFilter: ConvBackpropFilterAttrs;
  // Pooling over the spatial axes (2 or 3 of them); gradients take [dy, x].
  MaxPool: PoolAttrs;
  MaxPoolGrad: PoolGradAttrs;
  /** Average pooling counting padded cells (PyTorch's count_include_pad=True). */
  AvgPool: PoolAttrs;
  AvgPoolGrad: PoolGradAttrs;
  // Resizing over the spatial axes; linear is (bi/tri)linear with align_corners=False.
  ResizeNearest: ResizeAttrs;
  ResizeNearestGrad: ResizeGradAttrs;
  ResizeLinear: ResizeAttrs;
  ResizeLinearGrad: ResizeGradAttrs;
  /**
   * Batch normalisation: inputs [x] (training: outputs [y, mean, var] with the biased batch
   * variance per channel) or [x, mean, var] (inference: normalise with the given statistics).
   * With `affine`, per-channel weight and bias follow as two more inputs and y = x̂ weight + bias
   * (one pass instead of separate broadcast Mul/Add kernels).
   */
  BatchNorm: { epsilon: number; affine?: boolean };
  /**
   * Inputs [dy, x, mean, var] of a training-mode BatchNorm; output dx. With `affine`, the weight
   * follows as a fifth input and the outputs are [dx, dweight, dbias].
   */
  BatchNormGrad: { epsilon: number; affine?: boolean };
  /**
   * Instance normalisation of x [N, C, ...] per sample and channel over space, with the per-channel
   * affine (inputs [x, weight, bias]; [x] without `affine`) and, when `negativeSlope` is a number, a
   * leaky ReLU in the same pass. Outputs [y, mean, rstd] with mean and 1/√(var + ε) of shape [N, C].
   */
  InstanceNorm: InstanceNormAttrs;
  /**
   * Inputs [dy, x, mean, rstd] (+ [weight, bias] with `affine`) of an InstanceNorm; outputs [dx] or,
   * with `affine`, [dx, dweight, dbias].
   */
  InstanceNormGrad: InstanceNormAttrs;
  /** Normalises each row of the last axis: outputs [y, mean, var] (mean and var of shape [rows]). */
  LayerNorm: { epsilon: number };
  /** Inputs [dy, x, mean, var]; output dx. */
  LayerNormGrad: { epsilon: number };
  // Shape and data movement.
  Reshape: { shape: number[] };
  Permute: { perm: number[] };
  Concat: { axis: number };
  Slice: { begin: number[]; size: number[] };
  Pad: { padding: [number, number][]; value: number };
  /** Rows of a [rows, dim] table picked by `indices`; output [...indexShape, dim]. */
  Gather: { indices: Int32Array; indexShape: number[] };
  /** Scatter-add of dy [...indexShape, dim] into a zero [rows, dim] table. */
  GatherGrad: { indices: Int32Array; rows: number };
  /** Inputs [param, grad, m, v]; outputs [param, m, v] after one AdamW step (PyTorch semantics). */
  AdamW: { lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number; step: number };
}

export type KernelName = keyof KernelAttrMap;
