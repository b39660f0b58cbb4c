import type { TensorInfo } from '../../backend.js';
import type { ConvAttrs, PoolAttrs } from '../../kernel-names.js';
import { registerKernel } from '../../kernel-registry.js';
import type { NativeAddon, NativeHandle } from './addon.js';
import { BACKEND_NAME, handle, result, viaReference } from './kernel-helpers.js';

/**
 * Convolution, pooling and batch-norm kernels. Their results keep the layout oneDNN chose
 * (nChw16c / nCdhw16c for most channel counts), so a conv → norm → ReLU → pool chain never
 * reorders; the next convolution reads it as is.
 */
export function registerLayerKernels(addon: NativeAddon): void {
  const geometry = (a: ConvAttrs) => [a.stride, a.dilation, a.padding, a.padding] as const;

  for (const [forward, backInput, backFilter] of [
    ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    ['Conv3D', 'Conv3DBackpropInput', 'Conv3DBackpropFilter'],
  ] as const) {
    registerKernel(BACKEND_NAME, forward, ([x, w], attrs) => {
      const y = addon.convForward(handle(x!), handle(w!), null, ...geometry(attrs), false);
      return result(addon.dims(y), y);
    });
    registerKernel(BACKEND_NAME, backInput, ([dy, w], attrs) =>
      result(
        attrs.inputShape,
        addon.convBackwardData(handle(dy!), handle(w!), attrs.inputShape, ...geometry(attrs), false),
      ),
    );
    registerKernel(BACKEND_NAME, backFilter, ([x, dy], attrs) => {
      const [dw] = addon.convBackwardWeights(
        handle(x!),
        handle(dy!),
        attrs.filterShape,
        ...geometry(attrs),
        false,
        false,
      );
      return result(attrs.filterShape, dw!);
    });
  }

  // Max pooling's backward needs the forward's workspace (where each maximum came from). The
  // gradient kernel receives only [dy, x], so remember the pooled output of each pooled input.
  const pooledOutputs = new WeakMap<NativeHandle, { key: string; y: NativeHandle }>();
  const poolKey = (a: PoolAttrs) => `${a.kernelSize}|${a.stride}|${a.padding}`;
  const poolGeometry = (a: PoolAttrs) =>
    [a.kernelSize, a.stride, a.kernelSize.map(() => 1), a.padding, a.padding] as const;

  registerKernel(BACKEND_NAME, 'MaxPool', ([x], attrs) => {
    const y = addon.poolForward(handle(x!), 'max', ...poolGeometry(attrs), true);
    pooledOutputs.set(handle(x!), { key: poolKey(attrs), y });
    return result(addon.dims(y), y);
  });
  registerKernel(BACKEND_NAME, 'MaxPoolGrad', ([dy, x], attrs) => {
    const remembered = pooledOutputs.get(handle(x!));
    const y =
      remembered && remembered.key === poolKey(attrs) && addon.alive(remembered.y) ? remembered.y : null;
    return result(
      attrs.inputShape,
      addon.poolBackward(handle(dy!), handle(x!), y, 'max', ...poolGeometry(attrs)),
    );
  });
  registerKernel(BACKEND_NAME, 'AvgPool', ([x], attrs) => {
    const y = addon.poolForward(handle(x!), 'avg', ...poolGeometry(attrs), true);
    return result(addon.dims(y), y);
  });
  registerKernel(BACKEND_NAME, 'AvgPoolGrad', ([dy, x], attrs) =>
    result(
      attrs.inputShape,
      addon.poolBackward(handle(dy!), handle(x!), null, 'avg', ...poolGeometry(attrs)),
    ),
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
      const [y, mean, variance] = addon.batchNormForward(handle(x), scale, shift, null, null, epsilon, true);
      return [result(x.shape, y), result([c], mean), result([c], variance)];
    }
    const [mean, variance] = [handle(inputs[1]!), handle(inputs[2]!)];
    const y = addon.batchNormForward(handle(x), scale, shift, mean, variance, epsilon, false);
    // Like the reference, also hand back the statistics used (as views: no copy).
    return [
      result(x.shape, y),
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
      handle(dy),
      handle(x),
      scale,
      unitScale.zeros,
      handle(mean),
      handle(variance),
      epsilon,
    );
    if (affine) return [result(x.shape, dx), result([c], dscale), result([c], dshift)];
    addon.dispose(dscale);
    addon.dispose(dshift);
    return result(x.shape, dx);
  });

  // Layer norm over the last axis (the op reshapes to [rows, inner]); oneDNN wants ≥ 2 axes.
  registerKernel(BACKEND_NAME, 'LayerNorm', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    if (x.shape.length < 2 || x.shape.length > 6) return viaReference('LayerNorm', inputs, attrs, backend);
    const [y, mean, variance] = addon.layerNormForward(handle(x), attrs.epsilon);
    const rows = x.shape.slice(0, -1);
    return [result(x.shape, y), result(rows, mean), result(rows, variance)];
  });
  registerKernel(BACKEND_NAME, 'LayerNormGrad', (inputs, attrs, backend) => {
    const [dy, x, mean, variance] = inputs as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
    if (x.shape.length < 2 || x.shape.length > 6)
      return viaReference('LayerNormGrad', inputs, attrs, backend);
    return result(
      x.shape,
      addon.layerNormBackward(handle(dy), handle(x), handle(mean), handle(variance), attrs.epsilon),
    );
  });
}
