"""The char GPT of /work/shared/MODEL.md in PyTorch: an independent peer of the library's model.

What it is for: the training-throughput benchmark (train_throughput.py) and the
MQAR study twin (mqar_twin.py) run this model side by side with the library;
check_fixtures.py proves it is MODEL.md-exact against the float64 fixtures.
PyTorch is only a peer here, never a dependency of a JS package.

What it holds: the config (MODEL.md's JSON), the model (pre-norm GPT, learned
positions, LN eps 1e-5, tanh GELU, causal attention of kind sas|mha|gqa|mqa with
parameter names exactly MODEL.md's, so a state dict maps 1:1), the SAS layer of
/work/shared/SAS.md with the authors' parameter names, the `featureMaps: false`
ablation, identity init of the SAS maps, the `freeze` sets, AdamW with global-norm
clipping, and the learning-rate schedule (linear warmup, then cosine to a floor).

Torch 1.13 (Debian's python3-torch) has no scaled_dot_product_attention, so the
attention is written out. Run with /usr/bin/python3. As a script it prints a
config's parameter names and shapes:

    /usr/bin/python3 bench/torch/char_gpt.py '{"vocab":13,"width":16,"layers":2,"heads":2,"maxSeqLen":12,"attention":{"kind":"sas","simHeads":4,"simHeadDim":16,"kernelSize":3}}'
"""

import json
import math
import sys

import torch
import torch.nn.functional as F
from torch import nn

ATTENTION_KINDS = ("sas", "mha", "gqa", "mqa")
FREEZE_SETS = {"maps": ("sas_q.", "sas_k.", "sas_v."), "qk": ("sas_q.", "sas_k."), "v": ("sas_v.",)}
IGNORE_INDEX = -100


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what}: expected a positive integer, got {value!r}")
    return value


def normalize_config(config):
    """Validates a MODEL.md config and returns a full copy (defaults filled in: kvHeads, featureMaps, kernelSize).

    Errors are one line naming the field, what was expected and what came.

    >>> normalize_config({"vocab": 13, "width": 16, "layers": 1, "heads": 2, "maxSeqLen": 8, "attention": {"kind": "mqa"}})["attention"]
    {'kind': 'mqa', 'kvHeads': 1}
    """
    c = {k: config[k] for k in config}
    for key in ("vocab", "width", "layers", "heads", "maxSeqLen"):
        if key not in c:
            raise ValueError(f"model config: missing '{key}'")
        _positive_int(c[key], f"model config '{key}'")
    if c["width"] % c["heads"] != 0:
        raise ValueError(f"model config: width {c['width']} is not divisible by heads {c['heads']}")
    att = dict(c.get("attention") or {})
    kind = att.get("kind")
    if kind not in ATTENTION_KINDS:
        raise ValueError(f"model config 'attention.kind': expected one of {'|'.join(ATTENTION_KINDS)}, got {kind!r}")
    heads = c["heads"]
    if kind == "sas":
        sim_heads = _positive_int(att.get("simHeads"), "model config 'attention.simHeads'")
        if sim_heads % heads != 0:
            raise ValueError(f"model config 'attention.simHeads': {sim_heads} is not a multiple of heads {heads}")
        _positive_int(att.get("simHeadDim"), "model config 'attention.simHeadDim'")
        kernel = _positive_int(att.get("kernelSize", 3), "model config 'attention.kernelSize'")
        if kernel % 2 == 0:
            raise ValueError(f"model config 'attention.kernelSize': expected an odd size, got {kernel}")
        att["kernelSize"] = kernel
        att["featureMaps"] = bool(att.get("featureMaps", True))
    else:
        default_kv = {"mha": heads, "mqa": 1, "gqa": None}[kind]
        kv = att.get("kvHeads", default_kv)
        _positive_int(kv, "model config 'attention.kvHeads'")
        if heads % kv != 0:
            raise ValueError(f"model config 'attention.kvHeads': {kv} does not divide heads {heads}")
        if kind == "mha" and kv != heads:
            raise ValueError(f"model config 'attention.kvHeads': mha needs kvHeads = heads = {heads}, got {kv}")
        if kind == "mqa" and kv != 1:
            raise ValueError(f"model config 'attention.kvHeads': mqa needs kvHeads = 1, got {kv}")
        att["kvHeads"] = kv
    c["attention"] = att
    return c


class Residual(nn.Module):
    """Pre-activation residual: x + process(relu(x)). `process` is the authors' name for the inner map."""

    def __init__(self, process):
        super().__init__()
        self.process = process

    def forward(self, x):
        return x + self.process(torch.relu(x))


def _branch(heads, sim_heads, head_dim, sim_head_dim, kernel, feature_maps):
    """One SAS branch as the authors' nn.Sequential: .0 head-sim conv, .1 residual conv, then (q/k only) .2 and .3."""
    pad = (kernel - 1) // 2
    layers = [nn.Conv1d(heads, sim_heads, kernel, padding=pad), Residual(nn.Conv1d(sim_heads, sim_heads, kernel, padding=pad))]
    if feature_maps:
        layers += [nn.Linear(head_dim, sim_head_dim), Residual(nn.Linear(sim_head_dim, sim_head_dim))]
    return nn.Sequential(*layers)


def causal_softmax_attention(q, k, v, scale):
    """softmax(q·kᵀ·scale + causal mask)·v over [B, heads, T, d] tensors (torch 1.13 has no fused kernel)."""
    t = q.shape[-2]
    scores = torch.matmul(q * scale, k.transpose(-1, -2))  # scaling q touches T·d values, not T·T
    mask = torch.ones(t, t, dtype=torch.bool, device=q.device).triu_(1)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class CausalSelfAttention(nn.Module):
    """The `attn` of a block: q/k/v projections plus the layer's own params (SAS.md names), causal."""

    def __init__(self, config):
        super().__init__()
        att = config["attention"]
        self.kind = att["kind"]
        self.heads = config["heads"]
        self.head_dim = config["width"] // config["heads"]
        self.kv_heads = self.heads if self.kind == "sas" else att["kvHeads"]
        width, kv_width = config["width"], self.kv_heads * self.head_dim
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, kv_width)
        self.v_proj = nn.Linear(width, kv_width)
        if self.kind == "sas":
            self.sim_heads = att["simHeads"]
            feature_maps = att["featureMaps"]
            # featureMaps false: query/key stop after the convs, so the simulated width D' is D.
            self.sim_head_dim = att["simHeadDim"] if feature_maps else self.head_dim
            args = (self.heads, self.sim_heads, self.head_dim, self.sim_head_dim, att["kernelSize"])
            self.sas_q = _branch(*args, feature_maps)
            self.sas_k = _branch(*args, feature_maps)
            self.sas_v = _branch(*args, False)
        self.output_dense = nn.Linear(width, width)

    def forward(self, h):
        b, t, _ = h.shape
        q = self.q_proj(h).view(b, t, self.heads, self.head_dim)
        k = self.k_proj(h).view(b, t, self.kv_heads, self.head_dim)
        v = self.v_proj(h).view(b, t, self.kv_heads, self.head_dim)
        if self.kind == "sas":
            return self._sas(q, k, v)
        group = self.heads // self.kv_heads
        if group > 1:  # query head h reads kv head floor(h / group)
            k = k.repeat_interleave(group, dim=2)
            v = v.repeat_interleave(group, dim=2)
        a = causal_softmax_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), 1.0 / math.sqrt(self.head_dim))
        return self.output_dense(a.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))

    def _sas(self, q, k, v):
        b, t = q.shape[:2]
        n, hd = b * t, self.heads * self.head_dim

        def simulate(branch, x):  # per token: H channels over D positions -> [B, H', T, d]
            y = branch(x.reshape(n, self.heads, self.head_dim))
            return y.view(b, t, self.sim_heads, y.shape[-1]).transpose(1, 2)

        a = causal_softmax_attention(simulate(self.sas_q, q), simulate(self.sas_k, k), simulate(self.sas_v, v), 1.0 / math.sqrt(self.sim_head_dim))
        # PEAA: G groups of H consecutive simulated heads, one shared dense layer, averaged over groups.
        groups = self.sim_heads // self.heads
        a = a.transpose(1, 2).reshape(b, t, groups, hd)
        return self.output_dense(a).mean(dim=2)


class Mlp(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, 4 * width)
        self.proj = nn.Linear(4 * width, width)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln1 = nn.LayerNorm(config["width"], eps=1e-5)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config["width"], eps=1e-5)
        self.mlp = Mlp(config["width"])

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class CharGPT(nn.Module):
    """MODEL.md's char GPT. forward(ids [B,T] long) -> logits [B,T,vocab]; PyTorch default init at construction.

    >>> model = CharGPT({"vocab": 13, "width": 16, "layers": 1, "heads": 2, "maxSeqLen": 8, "attention": {"kind": "mha"}})
    >>> model(torch.zeros(2, 5, dtype=torch.long)).shape
    torch.Size([2, 5, 13])
    """

    def __init__(self, config):
        super().__init__()
        self.config = normalize_config(config)
        c = self.config
        self.tok = nn.Embedding(c["vocab"], c["width"])
        self.pos = nn.Embedding(c["maxSeqLen"], c["width"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.ln_f = nn.LayerNorm(c["width"], eps=1e-5)
        self.head = nn.Linear(c["width"], c["vocab"])

    def forward(self, ids):
        t = ids.shape[1]
        if t > self.config["maxSeqLen"]:
            raise ValueError(f"ids: sequence length {t} exceeds maxSeqLen {self.config['maxSeqLen']}")
        x = self.tok(ids) + self.pos.weight[:t]
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def lm_loss(logits, targets):
    """Mean cross-entropy over positions whose target is not -100 (MODEL.md); refuses a batch with none counted.

    >>> float(lm_loss(torch.zeros(1, 2, 4), torch.tensor([[1, -100]])))  # uniform logits: log 4
    1.3862943649291992
    """
    if not bool((targets != IGNORE_INDEX).any()):
        raise ValueError("targets: every position is -100, so the loss counts no position")
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE_INDEX)


def frozen_names(model, freeze):
    """The sorted parameter names MODEL.md's `freeze` set ('' | 'maps' | 'qk' | 'v') freezes."""
    if not freeze:
        return []
    if freeze not in FREEZE_SETS:
        raise ValueError(f"freeze: expected one of {'|'.join(FREEZE_SETS)}, got {freeze!r}")
    if model.config["attention"]["kind"] != "sas":
        raise ValueError(f"freeze {freeze!r}: only a sas model has maps to freeze, this one is {model.config['attention']['kind']}")
    return sorted(name for name, _ in model.named_parameters() if any(f".attn.{prefix}" in name for prefix in FREEZE_SETS[freeze]))


def apply_freeze(model, freeze):
    """Marks the `freeze` set as not trainable (no gradient, so no decay, no update, not in the clipping norm)."""
    names = set(frozen_names(model, freeze))
    for name, p in model.named_parameters():
        p.requires_grad_(name not in names)
    return sorted(names)


@torch.no_grad()
def identity_init_(model):
    """MODEL.md's identity init of every SAS map: SAS starts as attention with each head repeated."""
    for block in model.blocks:
        attn = block.attn
        if attn.kind != "sas":
            raise ValueError(f"init identity: only a sas model has maps, this one is {attn.kind}")
        for branch in (attn.sas_q, attn.sas_k, attn.sas_v):
            conv0, res1 = branch[0], branch[1]
            conv0.weight.zero_()
            centre = (conv0.kernel_size[0] - 1) // 2
            for c in range(attn.sim_heads):
                conv0.weight[c, c % attn.heads, centre] = 1.0
            conv0.bias.zero_()
            res1.process.weight.zero_()
            res1.process.bias.zero_()
            if len(branch) > 2:
                lin2, res3 = branch[2], branch[3]
                lin2.weight.zero_()
                for i in range(min(attn.head_dim, attn.sim_head_dim)):
                    lin2.weight[i, i] = 1.0
                lin2.bias.zero_()
                res3.process.weight.zero_()
                res3.process.bias.zero_()


def build_model(config, seed, init="random", freeze="", dtype=torch.float32):
    """Seeds torch, builds the model with PyTorch default init (then identity maps if asked), applies `freeze`.

    >>> m = build_model({"vocab": 9, "width": 16, "layers": 1, "heads": 4, "maxSeqLen": 6, "attention": {"kind": "sas", "simHeads": 8, "simHeadDim": 8}}, 1, "identity", "maps")
    >>> sum(p.numel() for p in m.parameters() if not p.requires_grad)
    1136
    """
    if init not in ("random", "identity"):
        raise ValueError(f"init: expected random|identity, got {init!r}")
    torch.manual_seed(seed)
    model = CharGPT(config).to(dtype)
    if init == "identity":
        identity_init_(model)
    apply_freeze(model, freeze)
    return model


def make_optimizer(model, lr, weight_decay, betas=(0.9, 0.999), eps=1e-8):
    """torch.optim.AdamW over the trainable parameters only (decay on every one of them, as MODEL.md)."""
    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def train_step(model, optimizer, ids, targets, lr, clip, observe=None):
    """One MODEL.md step: loss, gradients, clip by global norm (clip None: no clipping), AdamW at `lr`.

    clip_grad_norm_ multiplies by min(1, clip / (norm + 1e-6)), exactly MODEL.md's coef.
    `observe(logits, loss)`, if given, runs after the backward pass and before clipping (the fixture check reads
    the unclipped gradients there). Returns (loss, grad_norm) as Python floats, both from before the update.

    >>> m = build_model({"vocab": 5, "width": 8, "layers": 1, "heads": 2, "maxSeqLen": 4, "attention": {"kind": "mha"}}, 0)
    >>> opt = make_optimizer(m, 0.01, 0.0)
    >>> ids = torch.tensor([[1, 2, 3, 4]])
    >>> first, _ = train_step(m, opt, ids, ids, 0.01, 1.0)
    >>> second, _ = train_step(m, opt, ids, ids, 0.01, 1.0)
    >>> second < first
    True
    """
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.zero_grad(set_to_none=True)
    logits = model(ids)
    loss = lm_loss(logits, targets)
    loss.backward()
    if observe is not None:
        observe(logits, loss)
    trainable = [p for p in model.parameters() if p.requires_grad]
    norm = torch.nn.utils.clip_grad_norm_(trainable, math.inf if clip is None else clip)
    optimizer.step()
    return float(loss), float(norm)


def lr_at(step, lr, warmup, steps, floor_ratio):
    """Learning rate of update number `step` (0-based): linear warmup over `warmup` updates, then cosine to lr·floor.

    Warmup: lr·(step+1)/warmup for step < warmup. Then, with p = (step − warmup)/(steps − warmup) in [0, 1):
    lr·(floor + (1 − floor)·(1 + cos(π·p))/2).

    >>> [round(lr_at(s, 1.0, 2, 6, 0.1), 4) for s in range(6)]
    [0.5, 1.0, 1.0, 0.8682, 0.55, 0.2318]
    """
    if step < warmup:
        return lr * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return lr * (floor_ratio + (1 - floor_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


def count_params(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def main(argv):
    if len(argv) != 1:
        print("usage: char_gpt.py 'MODEL_CONFIG_JSON'", file=sys.stderr)
        return 2
    model = CharGPT(json.loads(argv[0]))
    for name, p in model.named_parameters():
        print(f"{name} {list(p.shape)}")
    print(f"params {count_params(model)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
