"""PyTorch twins of our networks, with the same parameter names and order as models/*.cpp, so weights
can be exchanged by name (our conv weights are OHWI; PyTorch's are OIHW). Used by the whole-step oracle
test and by the benchmark peer. An oracle and a peer only: the engine never imports this."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride, relu, momentum):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, momentum=momentum)
        self.relu = relu

    def forward(self, x, residual=None):
        y = self.bn(self.conv(x))
        if residual is not None:
            y = y + residual
        return F.relu(y) if self.relu else y


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, momentum):
        super().__init__()
        self.add_module("1", ConvBN(cin, cout, 3, stride, True, momentum))
        self.add_module("2", ConvBN(cout, cout, 3, 1, True, momentum))
        self.proj = stride != 1 or cin != cout
        if self.proj:
            self.shortcut = ConvBN(cin, cout, 1, stride, False, momentum)

    def forward(self, x):
        c1, c2 = getattr(self, "1"), getattr(self, "2")
        sc = self.shortcut(x) if self.proj else x
        return c2(c1(x), sc)


class ResNet(nn.Module):
    def __init__(self, widths, blocks, in_c, classes, momentum=0.1):
        super().__init__()
        self.stem = ConvBN(in_c, widths[0], 3, 1, True, momentum)
        c = widths[0]
        for s, w in enumerate(widths):
            layer = nn.Module()
            for k in range(blocks):
                layer.add_module(str(k), BasicBlock(c, w, 2 if (s > 0 and k == 0) else 1, momentum))
                c = w
            self.add_module("layer%d" % (s + 1), layer)
        self.nstages = len(widths)
        self.blocks = blocks
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        x = self.stem(x)
        for s in range(self.nstages):
            layer = getattr(self, "layer%d" % (s + 1))
            for k in range(self.blocks):
                x = getattr(layer, str(k))(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


class Bottleneck(nn.Module):
    """models/resnet_bottleneck.cpp's block: 1x1 -> 3x3 (stride) -> 1x1 x4, projection when the shape changes."""

    def __init__(self, cin, width, stride, momentum):
        super().__init__()
        self.add_module("1", ConvBN(cin, width, 1, 1, True, momentum))
        self.add_module("2", ConvBN(width, width, 3, stride, True, momentum))
        self.add_module("3", ConvBN(width, 4 * width, 1, 1, True, momentum))
        self.proj = stride != 1 or cin != 4 * width
        if self.proj:
            self.shortcut = ConvBN(cin, 4 * width, 1, stride, False, momentum)

    def forward(self, x):
        c1, c2, c3 = getattr(self, "1"), getattr(self, "2"), getattr(self, "3")
        sc = self.shortcut(x) if self.proj else x
        return c3(c2(c1(x)), sc)


class BottleneckResNet(nn.Module):
    """ImageNet stem (7x7/2 conv + BN + ReLU, 3x3/2 max-pool), four bottleneck stages, pool + fc."""

    def __init__(self, blocks, in_c, classes, momentum=0.1):
        super().__init__()
        self.stem = ConvBN(in_c, 64, 7, 2, True, momentum)
        c = 64
        for s, (w, n) in enumerate(zip([64, 128, 256, 512], blocks)):
            layer = nn.Module()
            for k in range(n):
                layer.add_module(str(k), Bottleneck(c, w, 2 if (s > 0 and k == 0) else 1, momentum))
                c = 4 * w
            self.add_module("layer%d" % (s + 1), layer)
        self.blocks = blocks
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        x = F.max_pool2d(self.stem(x), 3, 2, 1)
        for s, n in enumerate(self.blocks):
            layer = getattr(self, "layer%d" % (s + 1))
            for k in range(n):
                x = getattr(layer, str(k))(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


BOTTLENECK_BLOCKS = {"resnet50": [3, 4, 6, 3], "resnet101": [3, 4, 23, 3], "resnet152": [3, 8, 36, 3],
                     "resnet200": [3, 24, 36, 3]}


class Conv(nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)

    def forward(self, x):
        return self.conv(x)


class BNAct(nn.Module):
    def __init__(self, c, momentum):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, momentum=momentum)

    def forward(self, x):
        return F.relu(self.bn(x))


class WideBlock(nn.Module):
    """Pre-activation block of models/wrn.cpp: bn1-relu → conv 1 → bn2-relu → conv 2, plus the input or,
    when the shape changes, a 1×1 conv + BN shortcut of the pre-activated input."""

    def __init__(self, cin, cout, stride, momentum):
        super().__init__()
        self.bn1 = BNAct(cin, momentum)
        self.add_module("1", Conv(cin, cout, 3, stride))
        self.bn2 = BNAct(cout, momentum)
        self.add_module("2", Conv(cout, cout, 3, 1))
        self.proj = stride != 1 or cin != cout
        if self.proj:
            self.shortcut = ConvBN(cin, cout, 1, stride, False, momentum)

    def forward(self, x):
        a1 = self.bn1(x)
        y = getattr(self, "2")(self.bn2(getattr(self, "1")(a1)))
        return y + (self.shortcut(a1) if self.proj else x)


class WideResNet(nn.Module):
    def __init__(self, depth, k, in_c, classes, momentum=0.1):
        super().__init__()
        per_stage = (depth - 4) // 6
        self.stem = Conv(in_c, 16, 3, 1)
        c = 16
        for s, w in enumerate([16 * k, 32 * k, 64 * k]):
            stage = nn.Module()
            for j in range(per_stage):
                stage.add_module(str(j), WideBlock(c, w, 2 if (s > 0 and j == 0) else 1, momentum))
                c = w
            self.add_module("block%d" % (s + 1), stage)
        self.per_stage = per_stage
        self.final = BNAct(c, momentum)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        x = self.stem(x)
        for s in range(3):
            stage = getattr(self, "block%d" % (s + 1))
            for j in range(self.per_stage):
                x = getattr(stage, str(j))(x)
        x = F.adaptive_avg_pool2d(self.final(x), 1).flatten(1)
        return self.fc(x)


def make(name, in_c, classes, momentum=0.1):
    if name.startswith("wrn-"):
        depth, k = (int(v) for v in name.split("-")[1:])
        return WideResNet(depth, k, in_c, classes, momentum)
    if name in BOTTLENECK_BLOCKS:
        return BottleneckResNet(BOTTLENECK_BLOCKS[name], in_c, classes, momentum)
    if name == "resnet18":
        return ResNet([64, 128, 256, 512], 2, in_c, classes, momentum)
    depth = int(name[len("resnet"):])
    return ResNet([16, 32, 64], (depth - 2) // 6, in_c, classes, momentum)


def ours_to_torch(name, array):
    """Converts one of our parameter arrays to PyTorch's layout (conv OHWI → OIHW)."""
    t = torch.from_numpy(array)
    return t.permute(0, 3, 1, 2).contiguous() if name.endswith("conv.weight") else t
