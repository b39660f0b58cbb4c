"""PyTorch side of `npm run bench:parity` (reference only, never part of the product).

Reads the work folder written by src/train/parity.ts: meta.json, init.safetensors (mosmos's initial
weights), images.f32 / labels.u8 (the fixed batch sequence). Builds the same 2D U-Net, trains it with
the same recipe, writes losses_torch.json and final_torch.safetensors (read back by mosmos, which
segments the held-out cases with its own sliding window).

Name mapping mosmos -> torch: the modules below carry mosmos's attribute names, so every
parameter name is the same on both sides (NAME_MAP is the identity, checked on load).
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.backends.mkldnn.enabled = True


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        assert entry['dtype'] == 'F32', (name, entry['dtype'])
        start, end = entry['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(raw[base + start:base + end], dtype='<f4').copy()).reshape(entry['shape'])
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class ResidualBlock(nn.Module):
    """mosmos UnetResBlock: conv-IN-lrelu-conv-IN, + (strided 1x1 conv + IN) shortcut, lrelu."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.norm1 = nn.InstanceNorm2d(cout, eps=1e-5, affine=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.norm2 = nn.InstanceNorm2d(cout, eps=1e-5, affine=True)
        reshaped = stride != 1 or cin != cout
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if reshaped else None
        self.shortcutNorm = nn.InstanceNorm2d(cout, eps=1e-5, affine=True) if reshaped else None

    def forward(self, x):
        h = F.leaky_relu(self.norm1(self.conv1(x)), 0.01)
        y = self.norm2(self.conv2(h))
        identity = self.shortcutNorm(self.shortcut(x)) if self.shortcut is not None else x
        return F.leaky_relu(y + identity, 0.01)


class Encoder(nn.Module):
    def __init__(self, cin, widths):
        super().__init__()
        self.stem = nn.Conv2d(cin, widths[0], 3, 1, 1, bias=False)
        self.stemNorm = nn.InstanceNorm2d(widths[0], eps=1e-5, affine=True)
        self.stages = nn.ModuleList(
            [ResidualBlock(widths[0] if i == 0 else widths[i - 1], w, 1 if i == 0 else 2) for i, w in enumerate(widths)])

    def forward(self, x):
        y = F.leaky_relu(self.stemNorm(self.stem(x)), 0.01)
        skips = []
        for stage in self.stages:
            y = stage(y)
            skips.append(y)
        return skips


class DecoderStage(nn.Module):
    def __init__(self, deeper, ch):
        super().__init__()
        self.up = nn.ConvTranspose2d(deeper, ch, 2, 2)
        self.block = ResidualBlock(2 * ch, ch, 1)

    def forward(self, deeper, skip):
        return self.block(torch.cat([self.up(deeper), skip], 1))


class UNet2d(nn.Module):
    def __init__(self, cin, widths, classes):
        super().__init__()
        self.imageEncoder = Encoder(cin, widths)
        self.decoder = nn.ModuleList([DecoderStage(widths[i + 1], widths[i]) for i in range(len(widths) - 2, -1, -1)])
        self.head = nn.Conv2d(widths[0], classes, 1)
        self.deepHeads = nn.ModuleList([nn.Conv2d(w, classes, 1) for w in widths[1:-1]])

    def forward(self, x):
        skips = self.imageEncoder(x)
        y = skips[-1]
        stages = []
        for i, stage in enumerate(self.decoder):
            y = stage(y, skips[len(skips) - 2 - i])
            stages.append(y)
        outputs = [self.head(y)]
        for i, head in enumerate(self.deepHeads):
            outputs.append(head(stages[len(stages) - 2 - i]))
        return outputs


def dice_ce(logits, labels, smooth=1e-5):
    """mosmos diceCeLoss: mean CE + (1 - mean over foreground classes of batch soft Dice)."""
    c = logits.shape[1]
    target = F.one_hot(labels.long(), c).permute(0, 3, 1, 2).float()
    ce = -(target * F.log_softmax(logits, 1)).sum() / (labels.numel())
    probs = F.softmax(logits, 1)
    axes = [0, 2, 3]
    inter = (probs * target).sum(axes)
    den = probs.sum(axes) + target.sum(axes)
    dice = (2 * inter + smooth) / (den + smooth)
    return ce + (1 - dice[1:].mean())


def deep_supervision_loss(outputs, labels):
    raw = [1 / 2 ** i for i in range(len(outputs))]
    weights = [w / sum(raw) for w in raw]
    loss = weights[0] * dice_ce(outputs[0], labels)
    h, w = labels.shape[1:]
    for i in range(1, len(outputs)):
        oh, ow = outputs[i].shape[2:]
        # mosmos's downsampleLabels: the voxel at each stride's origin.
        loss = loss + weights[i] * dice_ce(outputs[i], labels[:, ::h // oh, ::w // ow])
    return loss


def main(work):
    meta = json.load(open(f'{work}/meta.json'))
    steps, batch, patch, classes = meta['steps'], meta['batch'], meta['patch'], meta['classes']
    net = UNet2d(1, meta['widths'], classes)
    weights = read_safetensors(f'{work}/init.safetensors')
    NAME_MAP = {name: name for name in weights}  # mosmos name -> torch name (identical by construction)
    state = net.state_dict()
    assert set(NAME_MAP.values()) == set(state.keys()), set(state.keys()) ^ set(NAME_MAP.values())
    net.load_state_dict({NAME_MAP[k]: v for k, v in weights.items()})
    params = list(net.named_parameters())
    groups = [
        {'params': [p for _, p in params if p.dim() > 1]},
        {'params': [p for _, p in params if p.dim() <= 1], 'weight_decay': 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=meta['lr'], betas=(0.9, 0.999), eps=1e-8, weight_decay=meta['weightDecay'])
    images = np.fromfile(f'{work}/images.f32', dtype='<f4').reshape(steps, batch, 1, patch, patch)
    labels = np.fromfile(f'{work}/labels.u8', dtype=np.uint8).reshape(steps, batch, patch, patch)
    losses = []
    for step in range(steps):
        lr = meta['lr'] * (1 - min(1.0, step / max(1, steps))) ** 0.9
        for g in opt.param_groups:
            g['lr'] = lr
        x = torch.from_numpy(images[step].copy())
        y = torch.from_numpy(labels[step].astype(np.int64))
        loss = deep_supervision_loss(net(x), y)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        if meta['clipNorm'] > 0:
            torch.nn.utils.clip_grad_norm_(net.parameters(), meta['clipNorm'])
        opt.step()
    json.dump(losses, open(f'{work}/losses_torch.json', 'w'))
    write_safetensors(f'{work}/final_torch.safetensors', {k: v for k, v in net.state_dict().items()})


if __name__ == '__main__':
    main(sys.argv[1])
