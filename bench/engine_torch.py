"""PyTorch side of bench/engine.ts: the same layers and U-Nets, the same timing protocol.

Run with Debian's interpreter (/usr/bin/python3 with python3-torch). Prints one JSON object per
line: {"name", "ms" (median), "peak_rss_mb"}. `--case NAME` runs one case (bench/engine.ts runs
each case in its own process so peak RSS is per case); `--list` prints the case names.
Reference for benchmarking only; not part of the product.
"""
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def conv_case(dims, kind):
    # conv2d 4x32x128^2 3x3 32->32, conv3d 1x16x64^3 3^3 16->16, padding 1.
    if dims == 2:
        x = torch.randn(4, 32, 128, 128)
        w = torch.randn(32, 32, 3, 3) * 0.05
    else:
        x = torch.randn(1, 16, 64, 64, 64)
        w = torch.randn(16, 16, 3, 3, 3) * 0.05
    conv = F.conv2d if dims == 2 else F.conv3d
    y = conv(x, w, padding=1)
    dy = torch.randn_like(y)
    pad = [1] * dims
    ones = [1] * dims
    zeros = [0] * dims

    def backward(mask):
        return torch.ops.aten.convolution_backward(dy, x, w, None, ones, pad, ones, False, zeros, 1, mask)

    with torch.no_grad():
        if kind == "fwd":
            return lambda: conv(x, w, padding=1)
        if kind == "bwd_data":
            return lambda: backward([True, False, False])
        return lambda: backward([False, True, False])


class Block(nn.Sequential):
    def __init__(self, dims, cin, cout):
        Conv = nn.Conv2d if dims == 2 else nn.Conv3d
        Norm = nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d
        super().__init__(
            Conv(cin, cout, 3, padding=1, bias=False), Norm(cout), nn.ReLU(),
            Conv(cout, cout, 3, padding=1, bias=False), Norm(cout), nn.ReLU(),
        )


class UNet(nn.Module):
    """Two (conv3x3 -> BN -> ReLU) per level, max-pool down, 2x2 transposed conv up, concat skip,
    1x1 head. Convolutions followed by BN carry no bias (BN's shift replaces it)."""

    def __init__(self, dims, channels, in_channels, classes):
        super().__init__()
        ConvT = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d
        Conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.pool = F.max_pool2d if dims == 2 else F.max_pool3d
        self.down = nn.ModuleList()
        cin = in_channels
        for c in channels:
            self.down.append(Block(dims, cin, c))
            cin = c
        self.ups = nn.ModuleList()
        self.up_blocks = nn.ModuleList()
        for c in reversed(channels[:-1]):
            self.ups.append(ConvT(cin, c, 2, stride=2))
            self.up_blocks.append(Block(dims, 2 * c, c))
            cin = c
        self.head = Conv(cin, classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = self.pool(x, 2)
        for up, block in zip(self.ups, self.up_blocks):
            x = block(torch.cat([skips.pop(), up(x)], 1))
        return self.head(x)


def unet_case(dims, train):
    if dims == 2:
        model = UNet(2, [16, 32, 64, 128], 1, 14)
        x = torch.randn(4, 1, 128, 128)
        labels = torch.randint(0, 14, (4, 128, 128))
    else:
        model = UNet(3, [8, 16, 32, 64], 1, 14)
        x = torch.randn(1, 1, 64, 64, 64)
        labels = torch.randint(0, 14, (1, 64, 64, 64))
    if not train:
        model.eval()

        def infer():
            with torch.no_grad():
                model(x)

        return infer
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()

    return step


CASES = {
    "conv2d_fwd": (lambda: conv_case(2, "fwd"), 3, 10),
    "conv2d_bwd_data": (lambda: conv_case(2, "bwd_data"), 3, 10),
    "conv2d_bwd_weights": (lambda: conv_case(2, "bwd_weights"), 3, 10),
    "conv3d_fwd": (lambda: conv_case(3, "fwd"), 3, 10),
    "conv3d_bwd_data": (lambda: conv_case(3, "bwd_data"), 3, 10),
    "conv3d_bwd_weights": (lambda: conv_case(3, "bwd_weights"), 3, 10),
    "unet2d_train_step": (lambda: unet_case(2, True), 3, 10),
    "unet2d_inference": (lambda: unet_case(2, False), 3, 10),
    "unet3d_train_step": (lambda: unet_case(3, True), 2, 5),
    "unet3d_inference": (lambda: unet_case(3, False), 2, 5),
}


def main(argv):
    if "--list" in argv:
        print("\n".join(CASES))
        return
    names = [argv[argv.index("--case") + 1]] if "--case" in argv else list(CASES)
    for name in names:
        make, warmup, repeats = CASES[name]
        ms = timed(make(), warmup, repeats)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"name": name, "ms": round(ms, 3), "peak_rss_mb": round(peak, 1)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
