"""PyTorch side of bench/engine.ts: the product's networks layer for layer, the same timing protocol.

Run with Debian's interpreter (/usr/bin/python3 with python3-torch), 2 threads. bench/engine.ts passes
the network's sizes as JSON (`--spec`) so both sides read one description; `--case NAME` is
`<network>_train_step` or `<network>_inference`; `--bf16` runs under CPU autocast (bfloat16).
Prints one JSON line {"name", "ms" (median), "peak_rss_mb", "parameters"}.
Reference for benchmarking only; not part of the product.
"""
import contextlib
import json
import math
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


# ---- layers as nn/ builds them ----

def conv(dims, cin, cout, k, stride=1, padding=None, bias=True):
    C = nn.Conv2d if dims == 2 else nn.Conv3d
    return C(cin, cout, k, stride=stride, padding=k // 2 if padding is None else padding, bias=bias)


def inorm(dims, c):
    return (nn.InstanceNorm2d if dims == 2 else nn.InstanceNorm3d)(c, affine=True)


def convT(dims, cin, cout):
    return (nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d)(cin, cout, 2, stride=2)


class ResidualBlock(nn.Module):
    """conv-norm-lrelu-conv-norm + (projected) input, lrelu: nn/unet2d-encoder.ts ResidualBlock,
    nn/unetr.ts UnetResBlock3d (stride 1)."""

    def __init__(self, dims, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv(dims, cin, cout, 3, stride, bias=False)
        self.norm1 = inorm(dims, cout)
        self.conv2 = conv(dims, cout, cout, 3, bias=False)
        self.norm2 = inorm(dims, cout)
        reshaped = stride != 1 or cin != cout
        self.shortcut = conv(dims, cin, cout, 1, stride, padding=0, bias=False) if reshaped else None
        self.shortcut_norm = inorm(dims, cout) if reshaped else None

    def forward(self, x):
        h = F.leaky_relu(self.norm1(self.conv1(x)), 0.01)
        y = self.norm2(self.conv2(h))
        identity = self.shortcut_norm(self.shortcut(x)) if self.shortcut is not None else x
        return F.leaky_relu(y + identity, 0.01)


def l2_normalize(x):
    return x / torch.clamp(torch.sqrt((x * x).sum(-1, keepdim=True)), min=1e-6)


class AttentionInjection(nn.Module):
    """nn/attention-injection.ts + nn/pixel-tag-attention.ts: one 1×1 projection per encoder stage
    (finest first), the maps of each stage at that stage's resolution."""

    def __init__(self, dims, stage_channels, tags, embed_dim=64, tau=0.1):
        super().__init__()
        self.dims = dims
        self.stage_projections = nn.ModuleList(conv(dims, c, embed_dim, 1, padding=0) for c in stage_channels)
        self.tag_queries = nn.Parameter(torch.randn(tags, embed_dim))
        self.tau = tau

    def maps(self, projection, features):
        f = projection(features)
        n, c = f.shape[:2]
        flat = f.reshape(n, c, -1)
        pixels = (flat - flat.mean(2, keepdim=True)).permute(0, 2, 1)
        sim = torch.matmul(l2_normalize(self.tag_queries), l2_normalize(pixels).transpose(1, 2)) * (1 / self.tau)
        return torch.softmax(sim, 1).reshape(n, -1, *f.shape[2:])

    def forward(self, stages):
        return [self.maps(p, s) for p, s in zip(self.stage_projections, stages)]

    def resize(self, maps, size):
        if list(maps.shape[2:]) == list(size):
            return maps
        return F.interpolate(maps, size=list(size), mode="bilinear" if self.dims == 2 else "trilinear",
                             align_corners=False)


class UNet2d(nn.Module):
    """nn/unet2d.ts with nn/unet2d-encoder.ts."""

    def __init__(self, widths, classes, tags):
        super().__init__()
        self.stem = conv(2, 1, widths[0], 3, bias=False)
        self.stem_norm = inorm(2, widths[0])
        self.stages = nn.ModuleList(
            ResidualBlock(2, widths[0] if i == 0 else widths[i - 1], w, 1 if i == 0 else 2) for i, w in enumerate(widths))
        self.attention = AttentionInjection(2, widths[:-1], tags) if tags > 0 else None
        extra = tags if tags > 0 else 0
        self.ups = nn.ModuleList()
        self.blocks = nn.ModuleList()
        for i in range(len(widths) - 2, -1, -1):
            self.ups.append(convT(2, widths[i + 1], widths[i]))
            self.blocks.append(ResidualBlock(2, 2 * widths[i] + extra, widths[i], 1))
        self.head = conv(2, widths[0], classes, 1, padding=0)

    def forward(self, x):
        y = F.leaky_relu(self.stem_norm(self.stem(x)), 0.01)
        skips = []
        for stage in self.stages:
            y = stage(y)
            skips.append(y)
        # The encoder's pooled features (mean and max of the deepest map), as nn/ computes them.
        torch.cat([y.mean((2, 3)), y.amax((2, 3))], 1)
        maps = self.attention(skips[:-1]) if self.attention is not None else None
        for i, (up, block) in enumerate(zip(self.ups, self.blocks)):
            level = len(skips) - 2 - i
            parts = [up(y), skips[level]]
            if maps is not None:
                parts.append(self.attention.resize(maps[level], skips[level].shape[2:]))
            y = block(torch.cat(parts, 1))
        return self.head(y)


class BasicBlock(nn.Module):
    """nn/layers/unet-basic-block.ts: conv-norm-lrelu-conv-norm-lrelu, the first conv strided."""

    def __init__(self, dims, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv(dims, cin, cout, 3, stride, bias=False)
        self.norm1 = inorm(dims, cout)
        self.conv2 = conv(dims, cout, cout, 3, bias=False)
        self.norm2 = inorm(dims, cout)

    def forward(self, x):
        h = F.leaky_relu(self.norm1(self.conv1(x)), 0.01)
        return F.leaky_relu(self.norm2(self.conv2(h)), 0.01)


class UNet3d(nn.Module):
    """nn/unet3d.ts (nnU-Net 3d_fullres PlainConvUNet style): basic-block stages, stride-2 first conv
    from the second stage on, 2× transposed conv + skip (+ that stage's maps) + basic block per
    decoder stage, a 1×1×1 head and, with deep supervision, heads on widths[1:-1]."""

    def __init__(self, widths, classes, tags, deep_supervision):
        super().__init__()
        self.encoder = nn.ModuleList(
            BasicBlock(3, 1 if i == 0 else widths[i - 1], w, 1 if i == 0 else 2) for i, w in enumerate(widths))
        self.attention = AttentionInjection(3, widths[:-1], tags) if tags > 0 else None
        extra = tags if tags > 0 else 0
        self.ups = nn.ModuleList()
        self.blocks = nn.ModuleList()
        for i in range(len(widths) - 2, -1, -1):
            self.ups.append(convT(3, widths[i + 1], widths[i]))
            self.blocks.append(BasicBlock(3, 2 * widths[i] + extra, widths[i]))
        self.head = conv(3, widths[0], classes, 1, padding=0)
        self.deep_heads = nn.ModuleList(
            conv(3, w, classes, 1, padding=0) for w in (widths[1:-1] if deep_supervision else []))
        self.deep_supervision = deep_supervision

    def forward(self, x):
        """Training with deep supervision: logits [full, 1/2, 1/4, …] (forwardDeep); else the full resolution."""
        skips = []
        y = x
        for stage in self.encoder:
            y = stage(y)
            skips.append(y)
        y = skips.pop()
        maps = self.attention(skips) if self.attention is not None else None
        stages = []
        for up, block in zip(self.ups, self.blocks):
            level = len(skips) - 1
            skip = skips.pop()
            parts = [up(y), skip]
            if maps is not None:
                parts.append(self.attention.resize(maps[level], skip.shape[2:]))
            y = block(torch.cat(parts, 1))
            stages.append(y)
        if not (self.training and self.deep_supervision):
            return self.head(y)
        return [self.head(y)] + [head(stages[len(stages) - 2 - i]) for i, head in enumerate(self.deep_heads)]


class Attention(nn.Module):
    """nn/layers/attention.ts MultiHeadAttention (separate q/k/v/out projections)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.out = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, mask=None):
        n, t, d = x.shape
        split = lambda z: z.reshape(n, t, self.heads, d // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1 / math.sqrt(d // self.heads))
        if mask is not None:
            scores = scores + mask
        y = torch.matmul(torch.softmax(scores, -1), v)
        return self.out(y.permute(0, 2, 1, 3).reshape(n, t, d))


class TransformerLayer(nn.Module):
    """nn/layers/transformer.ts: pre-LN, exact GELU."""

    def __init__(self, dim, heads, mlp_ratio=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, round(dim * mlp_ratio))
        self.fc2 = nn.Linear(round(dim * mlp_ratio), dim)

    def forward(self, x, mask=None):
        y = x + self.attn(self.norm1(x), mask)
        return y + self.fc2(F.gelu(self.fc1(self.norm2(y))))


class ViT(nn.Module):
    def __init__(self, image_size, patch, hidden, depth, heads):
        super().__init__()
        self.grid = [s // patch for s in image_size]
        self.hidden = hidden
        self.patch_embedding = conv(3, 1, hidden, patch, patch, padding=0)
        self.position = nn.Parameter(torch.randn(1, math.prod(self.grid), hidden) * 0.02)
        self.blocks = nn.ModuleList(TransformerLayer(hidden, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(hidden)
        self.skip_layers = [max(1, math.floor(q * depth / 4 + 0.5)) for q in (1, 2, 3, 4)]

    def forward(self, x):
        n = x.shape[0]
        y = self.patch_embedding(x).reshape(n, self.hidden, -1).permute(0, 2, 1) + self.position
        states = []
        for i, block in enumerate(self.blocks):
            y = block(y)
            if i + 1 in self.skip_layers:
                states.append(y)
        tokens = self.norm(y)
        tokens.mean(1)
        return tokens, states


class PrUp(nn.Module):
    def __init__(self, cin, cout, layers):
        super().__init__()
        self.init = convT(3, cin, cout)
        self.ups = nn.ModuleList(convT(3, cout, cout) for _ in range(layers))
        self.blocks = nn.ModuleList(ResidualBlock(3, cout, cout) for _ in range(layers))

    def forward(self, x):
        y = self.init(x)
        for up, block in zip(self.ups, self.blocks):
            y = block(up(y))
        return y


class Unetr(nn.Module):
    """nn/unetr.ts."""

    def __init__(self, vit, feature_size, classes, tags):
        super().__init__()
        f = feature_size
        self.levels = int(math.log2(vit["patchSize"]))
        self.vit = ViT(vit["imageSize"], vit["patchSize"], vit["hidden"], vit["depth"], vit["heads"])
        self.attention = AttentionInjection(3, [vit["hidden"]], tags) if tags > 0 else None
        extra = tags if tags > 0 else 0
        self.encoder1 = ResidualBlock(3, 1, f)
        self.token_skips = nn.ModuleList()
        self.skip_sources = []
        for j in range(1, self.levels):
            self.token_skips.append(PrUp(vit["hidden"], f * 2 ** j, self.levels - j - 1))
            self.skip_sources.append(3 - self.levels + j)
        self.ups = nn.ModuleList()
        self.blocks = nn.ModuleList()
        for j in range(self.levels - 1, -1, -1):
            cin = vit["hidden"] if j == self.levels - 1 else f * 2 ** (j + 1)
            self.ups.append(convT(3, cin, f * 2 ** j))
            self.blocks.append(ResidualBlock(3, 2 * f * 2 ** j + extra, f * 2 ** j))
        self.head = conv(3, f, classes, 1, padding=0)

    def forward(self, x):
        n = x.shape[0]
        tokens, states = self.vit(x)
        to_map = lambda t: t.permute(0, 2, 1).reshape(n, self.vit.hidden, *self.vit.grid)
        deepest = to_map(tokens)
        maps = self.attention([deepest])[0] if self.attention is not None else None
        skips = [self.encoder1(x)]
        for i, block in enumerate(self.token_skips):
            skips.append(block(to_map(states[min(self.skip_sources[i], len(states) - 1)])))
        y = deepest
        for i, (up, block) in enumerate(zip(self.ups, self.blocks)):
            skip = skips[self.levels - 1 - i]
            parts = [up(y), skip]
            if maps is not None:
                parts.append(self.attention.resize(maps, skip.shape[2:]))
            y = block(torch.cat(parts, 1))
        return self.head(y)


class TextEncoder(nn.Module):
    """nn/text-encoder.ts (mean pooling over unpadded tokens)."""

    def __init__(self, vocab, length, hidden, depth, heads):
        super().__init__()
        self.embedding = nn.Embedding(vocab, hidden)
        self.position = nn.Parameter(torch.randn(1, length, hidden) * 0.02)
        self.blocks = nn.ModuleList(TransformerLayer(hidden, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(hidden)

    def forward(self, ids, mask):
        y = self.embedding(ids) + self.position[:, : ids.shape[1]]
        additive = ((1 - mask) * -1e9).reshape(ids.shape[0], 1, 1, ids.shape[1])
        for block in self.blocks:
            y = block(y, additive)
        tokens = self.norm(y)
        w = mask.unsqueeze(-1)
        return (tokens * w).sum(1) / w.sum(1).clamp(min=1)


def dice_ce(logits, labels, smooth=1e-5):
    """train/segmentation-losses.ts diceCeLoss, formula for formula."""
    c = logits.shape[1]
    target = F.one_hot(labels, c).movedim(-1, 1).float()
    ce = -(target * F.log_softmax(logits, 1)).sum() / labels.numel()
    probs = torch.softmax(logits, 1)
    axes = [0] + list(range(2, logits.dim()))
    inter = (probs * target).sum(axes)
    dice = (2 * inter + smooth) / (probs.sum(axes) + target.sum(axes) + smooth)
    return ce + (1 - dice[1:].mean())


def build(spec):
    """Returns (model, inputs, loss(model outputs), probabilities(model outputs))."""
    family, batch, size, classes = spec["family"], spec["batch"], spec["size"], spec["classes"]
    g = torch.Generator().manual_seed(1)
    if family == "text_encoder" or family == "text":
        t = spec["text"]
        length = size[0]
        model = TextEncoder(t["vocab"], length, t["hidden"], t["depth"], t["heads"])
        ids = torch.randint(0, t["vocab"], (batch, length), generator=g)
        mask = torch.ones(batch, length)
        mask[1::2, (3 * length) // 4:] = 0
        return model, (ids, mask), lambda out: (out * out).mean(), lambda out: out
    x_values = torch.rand(batch, 1, *size, generator=g) * 2 - 1
    labels = torch.randint(0, classes, (batch, *size), generator=g)
    if family == "unet2d":
        model = UNet2d(spec["widths"], classes, spec["tags"])
    elif family == "unetr":
        model = Unetr(spec["vit"], spec["featureSize"], classes, spec["tags"])
    else:
        model = UNet3d(spec["widths"], classes, spec["tags"], spec.get("deepSupervision", False))
    if spec.get("deepSupervision", False):
        # train/segmentation-losses.ts deepSupervisionLoss: weights 1, 1/2, 1/4 … normalised; labels
        # down-sampled by taking every 2^i-th voxel.
        weights = [1 / 2 ** i for i in range(len(spec["widths"]) - 1)]
        total = sum(weights)
        targets = [labels[(slice(None),) + (slice(None, None, 2 ** i),) * len(size)] for i in range(len(weights))]

        def ds_loss(outs):
            return sum(w / total * dice_ce(o, t) for w, o, t in zip(weights, outs, targets))

        return model, (x_values,), ds_loss, lambda out: torch.softmax(out, 1)
    return model, (x_values,), lambda out: dice_ce(out, labels), lambda out: torch.softmax(out, 1)


def network_case(spec, train, bf16):
    model, inputs, loss_of, probs_of = build(spec)
    autocast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext
    params = sum(p.numel() for p in model.parameters())
    if not train:
        model.eval()

        def infer():
            with torch.no_grad(), autocast():
                probs_of(model(*inputs)).float().numpy()

        return infer, params
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

    def step():
        with autocast():
            loss = loss_of(model(*inputs))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step, params


def main(argv):
    name = argv[argv.index("--case") + 1]
    spec = json.loads(argv[argv.index("--spec") + 1])
    warmup = int(argv[argv.index("--warmup") + 1]) if "--warmup" in argv else 2
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 5
    train = name.endswith("_train_step")
    fn, params = network_case(spec, train, "--bf16" in argv)
    ms = timed(fn, warmup, repeats)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "ms": round(ms, 3), "peak_rss_mb": round(peak, 1), "parameters": params}),
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
