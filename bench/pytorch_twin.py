#!/usr/bin/python3
"""PyTorch twin of a unetseg U-Net, for bench/run.sh twin.

Builds the same network as io.github.unetseg.tensorflow.UNetBuilder (two 3x3(x3) 'same' convolutions
per level with bias, optional batch norm in inference form (x - mean) / sqrt(var + 1e-3) * gamma + beta,
ReLU, 2x max pooling, 2x2(x2) stride-2 transposed convolutions, concatenation [upsampled, skip], 1x1 head,
sigmoid or softmax) from the weights TwinExport wrote, checks that it reproduces TensorFlow's output on
the same batch, times it with the same threads, exports it to ONNX, and times a training step.
Uses Debian's python3-torch (1.13). Usage: pytorch_twin.py EXPORT_DIR THREADS REPEATS
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def load(folder, name, shape):
    return torch.from_numpy(np.fromfile("%s/%s.f32" % (folder, name), dtype="<f4").reshape(shape))


class Twin(torch.nn.Module):
    def __init__(self, folder, arch):
        super().__init__()
        self.d = arch["dimensions"]
        self.depth = arch["depth"]
        self.bn = arch["batchNorm"]
        self.classes = arch["classes"]
        f0 = arch["baseFilters"]
        k = 3
        self.params = torch.nn.ParameterDict()
        counter = [0]
        ch = [arch["inputChannels"]]

        def conv(cin, cout, ksize, norm=True):
            name = "conv%d" % counter[0]
            counter[0] += 1
            tf_shape = [ksize] * self.d + [cin, cout]
            w = load(folder, name + ".kernel", tf_shape)
            perm = (3, 2, 0, 1) if self.d == 2 else (4, 3, 0, 1, 2)
            self.params[name + "_w"] = torch.nn.Parameter(w.permute(*perm).contiguous())
            self.params[name + "_b"] = torch.nn.Parameter(load(folder, name + ".bias", [cout]))
            layer = [("conv", name, ksize)]
            if self.bn and norm:
                bn = "bn%d" % counter[0]
                counter[0] += 1
                for p in ("gamma", "beta", "moving_mean", "moving_variance"):
                    self.params[bn + "_" + p] = torch.nn.Parameter(load(folder, bn + "." + p, [cout]), requires_grad=p in ("gamma", "beta"))
                layer.append(("bn", bn, 0))
            return layer

        def upconv(cin, cout):
            name = "upconv%d" % counter[0]
            counter[0] += 1
            w = load(folder, name + ".kernel", [2] * self.d + [cout, cin])
            perm = (3, 2, 0, 1) if self.d == 2 else (4, 3, 0, 1, 2)
            self.params[name + "_w"] = torch.nn.Parameter(w.permute(*perm).contiguous())
            self.params[name + "_b"] = torch.nn.Parameter(load(folder, name + ".bias", [cout]))
            return name

        self.plan = []
        c = arch["inputChannels"]
        for level in range(self.depth):
            f = f0 << level
            self.plan.append(("block", conv(c, f, k) + conv(f, f, k)))
            self.plan.append(("pool",))
            c = f
        f = f0 << self.depth
        self.plan.append(("bottleneck", conv(c, f, k) + conv(f, f, k)))
        c = f
        for level in range(self.depth - 1, -1, -1):
            f = f0 << level
            self.plan.append(("up", upconv(c, f)))
            self.plan.append(("block", conv(2 * f, f, k) + conv(f, f, k)))
            c = f
        self.plan.append(("head", conv(c, 1 if self.classes == 1 else self.classes, 1, norm=False)))

    def layers(self, x, ops, relu=True):
        convf = F.conv2d if self.d == 2 else F.conv3d
        shape = [1, -1] + [1] * self.d
        for kind, name, ksize in ops:
            if kind == "conv":
                x = convf(x, self.params[name + "_w"], self.params[name + "_b"], padding=ksize // 2)
            else:
                p = self.params
                x = (x - p[name + "_moving_mean"].view(shape)) * torch.rsqrt(p[name + "_moving_variance"].view(shape) + 1e-3) \
                    * p[name + "_gamma"].view(shape) + p[name + "_beta"].view(shape)
            if kind == "bn" or (kind == "conv" and not (self.bn and relu)):
                x = F.relu(x) if relu else x
        return x

    def forward(self, x):
        pool = F.max_pool2d if self.d == 2 else F.max_pool3d
        upf = F.conv_transpose2d if self.d == 2 else F.conv_transpose3d
        skips = []
        for step in self.plan:
            if step[0] in ("block", "bottleneck"):
                x = self.layers(x, step[1])
            elif step[0] == "pool":
                skips.append(x)  # the encoder block's output, before pooling
                x = pool(x, 2)
            elif step[0] == "up":
                x = upf(x, self.params[step[1] + "_w"], self.params[step[1] + "_b"], stride=2)
                x = torch.cat([x, skips.pop()], 1)
            elif step[0] == "head":
                x = self.layers(x, step[1], relu=False)
        return torch.sigmoid(x) if self.classes == 1 else torch.softmax(x, 1)


def main():
    folder, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    meta = json.load(open(folder + "/weights.json"))
    arch, batch, tile = meta["architecture"], meta["batch"], meta["tile"]
    d = arch["dimensions"]
    net = Twin(folder, arch).eval()
    c = arch["inputChannels"]
    x_tf = np.fromfile(folder + "/input.f32", dtype="<f4").reshape([batch] + [tile] * d + [c])
    x = torch.from_numpy(np.ascontiguousarray(np.moveaxis(x_tf, -1, 1)))
    with torch.no_grad():
        y = net(x)
        k = y.shape[1]
        y_tf = np.fromfile(folder + "/output_tf.f32", dtype="<f4").reshape([batch] + [tile] * d + [k])
        diff = np.abs(np.moveaxis(y.numpy(), 1, -1) - y_tf).max()
        for _ in range(2):
            net(x)
        t0 = time.perf_counter()
        for _ in range(reps):
            net(x)
        ms = (time.perf_counter() - t0) * 1000 / reps
    print("PyTorch %s twin: max |p_torch - p_tf| = %.2e; forward %.1f ms per batch (%d threads)" % (torch.__version__, diff, ms, threads))
    torch.onnx.export(net, x, folder + "/twin.onnx", input_names=["input"], output_names=["output"], opset_version=13,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    print("exported %s/twin.onnx" % folder)
    # training step: same patch count and size as the forward batch, Dice + CE on random labels, Adam
    trainable = [p for n, p in net.params.items() if p.requires_grad]
    opt = torch.optim.Adam(trainable, lr=1e-3)
    labels = torch.randint(0, 2, y.shape, dtype=torch.float32) if k == 1 else None
    net.train()
    steps = max(2, reps // 2)
    for i in range(steps + 1):
        if i == 1:
            t0 = time.perf_counter()
        opt.zero_grad()
        p = net(x)
        target = labels if labels is not None else F.one_hot(torch.randint(0, k, p[:, 0].shape), k).movedim(-1, 1).float()
        ce = F.binary_cross_entropy(p.clamp(1e-6, 1 - 1e-6), target)
        dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + target.sum() + 1)
        (ce + dice).backward()
        opt.step()
    sec = (time.perf_counter() - t0) / steps
    print("PyTorch training: %.1f ms per step of %d patches, %.2f patches/s" % (sec * 1000, batch, batch / sec))
    json.dump({"agreement": float(diff), "forward_ms": ms, "train_patches_per_s": batch / sec},
              open(folder + "/pytorch.json", "w"))


if __name__ == "__main__":
    main()
