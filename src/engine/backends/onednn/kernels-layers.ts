import type { TensorInfo } from '../../backend.js';
import type { ConvAttrs, ConvBackpropFilterAttrs, InstanceNormAttrs, PoolAttrs } from '../../kernel-names.js';
import { registerKernel } from '../../kernel-registry.js';
import type { NativeAddon, NativeHandle } from './addon.js';
import { BACKEND_NAME, handle, result, viaReference } from './kernel-helpers.js';

/**
 * Convolution, pooling and batch-norm kernels. Their results keep the layout oneDNN chose
 * (nChw16c / nCdhw16c for most channel counts), so a conv → norm → ReLU → pool chain never
 * reorders; the next convolution reads it as is.
 */
export function registerLayerKernels(addon: NativeAddon): void {
  const geometry = (a: ConvAttrs) => ({
    stride: a.stride,
    dilation: a.dilation,
    padL: a.padding,
    padR: a.padding,
    transposed: false,
  });

  /**
   * oneDNN 2.6's AVX2 JIT weight gradient takes no padding along depth
   * (jit_avx2_conv_bwd_weights_kernel_f32::init_conf wants f_pad = back_pad = 0), so every padded
   * 3×3×3 convolution's weight gradient ran its im2col + GEMM path instead, 2.5–4× the forward's time
   * and over half of a 3D U-Net training step. Zero slices added to the input's depth (one copy in
   * its own blocked layout) with the depth padding removed give the same sums through the JIT kernel.
   * The zeros are 0·x: a non-finite x gives a non-finite padding, but then the gradient is not finite
   * either way.
   */
  const depthPaddedFilterGradient = addon.cpuIsa().startsWith('avx2')
    ? (x: TensorInfo, dy: TensorInfo, attrs: ConvBackpropFilterAttrs): TensorInfo => {
        const [n, c, , h, w] = x.shape as [number, number, number, number, number];
        const pad = attrs.padding[0]!;
        const slab = addon.slice([handle(x)], { offsets: [0, 0, 0, 0, 0], dims: [n, c, pad, h, w] });
        const zero = addon.eltwise([slab], { op: 'linear', alpha: 0, beta: 0 });
        addon.dispose(slab);
        const padded = addon.concat([zero, handle(x), zero], { axis: 2 });
        addon.dispose(zero);
        const inPlane = attrs.padding.slice(1);
        try {
          const [dw] = addon.convBackwardWeights([padded, handle(dy)], {
            ...geometry(attrs),
            padL: [0, ...inPlane],
            padR: [0, ...inPlane],
            filterShape: attrs.filterShape,
            withBias: false,
          });
          return result(attrs.filterShape, dw!);
        } finally {
          addon.dispose(padded);
        }
      }
    : null;

  for (const [forward, backInput, backFilter] of [
    ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    ['Conv3D', 'Conv3DBackpropInput', 'Conv3DBackpropFilter'],
  ] as const) {
    registerKernel(BACKEND_NAME, forward, ([x, w], attrs) => {
      const y = addon.convForward([handle(x!), handle(w!), null], geometry(attrs));
      return result(addon.dims(y), y);
    });
    registerKernel(BACKEND_NAME, backInput, ([dy, w], attrs) =>
      result(
        attrs.inputShape,
        addon.convBackwardData([handle(dy!), handle(w!)], {
          ...geometry(attrs),
          inputShape: attrs.inputShape,
        }),
      ),
    );
    registerKernel(BACKEND_NAME, backFilter, ([x, dy], attrs) => {
      const depthPad = x!.shape.length === 5 ? attrs.padding[0]! : 0;
      if (depthPaddedFilterGradient && depthPad > 0 && depthPad <= x!.shape[2]!)
        return depthPaddedFilterGradient(x!, dy!, attrs);
      const [dw] = addon.convBackwardWeights([handle(x!), handle(dy!)], {
        ...geometry(attrs),
        filterShape: attrs.filterShape,
        withBias: false,
      });
      return result(attrs.filterShape, dw!);
    });
  }

  // Max pooling's backward needs the forward's workspace (where each maximum came from). The
  // gradient kernel receives only [dy, x], so remember the pooled output of each pooled input.
  const pooledOutputs = new WeakMap<NativeHandle, { key: string; y: NativeHandle }>();
  const poolKey = (a: PoolAttrs) => `${a.kernelSize}|${a.stride}|${a.padding}`;
  const poolGeometry = (a: PoolAttrs, kind: 'max' | 'avg') => ({
    kind,
    kernel: a.kernelSize,
    stride: a.stride,
    dilation: a.kernelSize.map(() => 1),
    padL: a.padding,
    padR: a.padding,
  });

  registerKernel(BACKEND_NAME, 'MaxPool', ([x], attrs) => {
    const y = addon.poolForward([handle(x!)], { ...poolGeometry(attrs, 'max'), training: true });
    pooledOutputs.set(handle(x!), { key: poolKey(attrs), y });
    return result(addon.dims(y), y);
  });
  registerKernel(BACKEND_NAME, 'MaxPoolGrad', ([dy, x], attrs) => {
    const remembered = pooledOutputs.get(handle(x!));
    const y =
      remembered && remembered.key === poolKey(attrs) && addon.alive(remembered.y) ? remembered.y : null;
    return result(
      attrs.inputShape,
      addon.poolBackward([handle(dy!), handle(x!), y], poolGeometry(attrs, 'max')),
    );
  });
  registerKernel(BACKEND_NAME, 'AvgPool', ([x], attrs) => {
    const y = addon.poolForward([handle(x!)], { ...poolGeometry(attrs, 'avg'), training: true });
    return result(addon.dims(y), y);
  });
  registerKernel(BACKEND_NAME, 'AvgPoolGrad', ([dy, x], attrs) =>
    result(attrs.inputShape, addon.poolBackward([handle(dy!), handle(x!), null], poolGeometry(attrs, 'avg'))),
  );

  // Without `affine` the native kernel runs with scale 1 and shift 0, kept per channel count.
  const unit = new Map<number, { ones: NativeHandle; zeros: NativeHandle }>();
  const unitFor = (channels: number) => {
    let u = unit.get(channels);
    if (u === undefined) {
      u = {
        ones: addon.fromFloat32(new Float32Array(channels).fill(1), [channels]),
        zeros: addon.fromFloat32(new Float32Array(channels), [channels]),
      };
      unit.set(channels, u);
    }
    return u;
  };
  const affineOf = (inputs: readonly TensorInfo[], affine: boolean | undefined) => {
    if (!affine) return unitFor(inputs[0]!.shape[1]!);
    const n = inputs.length;
    return { ones: handle(inputs[n - 2]!), zeros: handle(inputs[n - 1]!) };
  };

  registerKernel(BACKEND_NAME, 'BatchNorm', (inputs, { epsilon, affine }) => {
    const x = inputs[0]!;
    const c = x.shape[1]!;
    const { ones: scale, zeros: shift } = affineOf(inputs, affine);
    if (inputs.length === (affine ? 3 : 1)) {
      const [y, mean, variance] = addon.batchNormForward([handle(x), scale, shift, null, null], {
        epsilon,
        training: true,
      });
      return [result(x.shape, y!), result([c], mean!), result([c], variance!)];
    }
    const [mean, variance] = [handle(inputs[1]!), handle(inputs[2]!)];
    const [y] = addon.batchNormForward([handle(x), scale, shift, mean, variance], {
      epsilon,
      training: false,
    });
    // Like the reference, also hand back the statistics used (as views: no copy).
    return [
      result(x.shape, y!),
      result([c], addon.reshape(mean, [c])),
      result([c], addon.reshape(variance, [c])),
    ];
  });
  registerKernel(BACKEND_NAME, 'BatchNormGrad', (inputs, { epsilon, affine }) => {
    const [dy, x, mean, variance, weight] = inputs as [
      TensorInfo,
      TensorInfo,
      TensorInfo,
      TensorInfo,
      TensorInfo?,
    ];
    const c = x.shape[1]!;
    const unitScale = unitFor(c);
    // The shift is not read by the backward pass (oneDNN only checks it is there).
    const scale = affine ? handle(weight!) : unitScale.ones;
    const [dx, dscale, dshift] = addon.batchNormBackward(
      [handle(dy), handle(x), scale, unitScale.zeros, handle(mean), handle(variance)],
      { epsilon },
    ) as [NativeHandle, NativeHandle, NativeHandle];
    if (affine) return [result(x.shape, dx), result([c], dscale), result([c], dshift)];
    addon.dispose(dscale);
    addon.dispose(dshift);
    return result(x.shape, dx);
  });

  // Instance norm (+ affine, + optional leaky ReLU) in the activation's own layout: one pass each way.
  const instanceOptions = (a: InstanceNormAttrs) => ({
    epsilon: a.epsilon,
    leakyRelu: a.negativeSlope !== null,
    negativeSlope: a.negativeSlope ?? 0,
  });
  registerKernel(BACKEND_NAME, 'InstanceNorm', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    if (x.shape.length < 3 || x.shape.length > 5) return viaReference('InstanceNorm', inputs, attrs, backend);
    const [w, b] = attrs.affine ? [handle(inputs[1]!), handle(inputs[2]!)] : [null, null];
    const [y, mean, rstd] = addon.instanceNormForward([handle(x), w, b], instanceOptions(attrs)) as [
      NativeHandle,
      NativeHandle,
      NativeHandle,
    ];
    const stats = x.shape.slice(0, 2);
    return [result(x.shape, y), result(stats, mean), result(stats, rstd)];
  });
  registerKernel(BACKEND_NAME, 'InstanceNormGrad', (inputs, attrs, backend) => {
    const x = inputs[1]!;
    if (x.shape.length < 3 || x.shape.length > 5)
      return viaReference('InstanceNormGrad', inputs, attrs, backend);
    const [w, b] = attrs.affine ? [handle(inputs[4]!), handle(inputs[5]!)] : [null, null];
    const [dx, dw, db] = addon.instanceNormBackward(
      [handle(inputs[0]!), handle(x), handle(inputs[2]!), handle(inputs[3]!), w, b],
      instanceOptions(attrs),
    ) as [NativeHandle, NativeHandle, NativeHandle];
    const c = x.shape[1]!;
    if (attrs.affine) return [result(x.shape, dx), result([c], dw), result([c], db)];
    addon.dispose(dw);
    addon.dispose(db);
    return result(x.shape, dx);
  });

  // Layer norm over the last axis (the op reshapes to [rows, inner]); oneDNN wants ≥ 2 axes.
  registerKernel(BACKEND_NAME, 'LayerNorm', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    if (x.shape.length < 2 || x.shape.length > 6) return viaReference('LayerNorm', inputs, attrs, backend);
    const [y, mean, variance] = addon.layerNormForward([handle(x)], attrs) as [
      NativeHandle,
      NativeHandle,
      NativeHandle,
    ];
    const rows = x.shape.slice(0, -1);
    return [result(x.shape, y), result(rows, mean), result(rows, variance)];
  });
  registerKernel(BACKEND_NAME, 'LayerNormGrad', (inputs, attrs, backend) => {
    const [dy, x, mean, variance] = inputs as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
    if (x.shape.length < 2 || x.shape.length > 6)
      return viaReference('LayerNormGrad', inputs, attrs, backend);
    return result(
      x.shape,
      addon.layerNormBackward([handle(dy), handle(x), handle(mean), handle(variance)], attrs),
    );
  });
}
