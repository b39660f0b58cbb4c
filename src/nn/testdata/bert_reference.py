"""Reference BERT forward in PyTorch, written out by hand (no transformers package), used only by
bert.test.ts to cross-check mosmos's BERT loader. Usage: bert_reference.py <bert-dir> <ids.json>
Prints JSON {"tokens": [...]} with the final hidden states, row-major [N, L, hidden]."""
import json
import math
import struct
import sys

import numpy as np
import torch


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        assert info["dtype"] == "F32"
        arr = np.frombuffer(data[8 + n + start : 8 + n + end], dtype="<f4").reshape(info["shape"])
        key = name[len("bert.") :] if name.startswith("bert.") else name
        out[key] = torch.tensor(arr.copy(), dtype=torch.float64)
    return out


def main():
    folder, ids_path = sys.argv[1], sys.argv[2]
    cfg = json.load(open(f"{folder}/config.json"))
    w = load_safetensors(f"{folder}/model.safetensors")
    batch = json.load(open(ids_path))
    ids = torch.tensor(batch["ids"], dtype=torch.long)
    mask = torch.tensor(batch["mask"], dtype=torch.float64)
    n, length = ids.shape
    h, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    eps = cfg.get("layer_norm_eps", 1e-12)

    def ln(x, prefix):
        return torch.nn.functional.layer_norm(x, (h,), w[prefix + ".weight"], w[prefix + ".bias"], eps)

    def lin(x, prefix):
        return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]

    pos = torch.arange(length).unsqueeze(0).expand(n, length)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
    x = x + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
    x = ln(x, "embeddings.LayerNorm")
    bias = (1.0 - mask)[:, None, None, :] * -1e9
    dh = h // heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        split = lambda t: t.view(n, length, heads, dh).transpose(1, 2)
        q = split(lin(x, p + ".attention.self.query"))
        k = split(lin(x, p + ".attention.self.key"))
        v = split(lin(x, p + ".attention.self.value"))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(n, length, h)
        a = ln(lin(ctx, p + ".attention.output.dense") + x, p + ".attention.output.LayerNorm")
        inter = torch.nn.functional.gelu(lin(a, p + ".intermediate.dense"))
        x = ln(lin(inter, p + ".output.dense") + a, p + ".output.LayerNorm")
    print(json.dumps({"tokens": x.reshape(-1).tolist()}))


main()
