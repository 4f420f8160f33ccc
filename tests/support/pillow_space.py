"""The authors' augmentation space with Pillow (names, magnitudes, and each op applied with the PIL
calls their code makes), and the fused pass recomposed from its draws: the reference that the C++
oracle tests (through tests/support/pillow_space.h) and the awsaug tests compare the engine with."""
import numpy as np

from PIL import Image, ImageEnhance, ImageOps
def space():
    r = {'ShearX': np.linspace(0, 0.3, 10), 'ShearY': np.linspace(0, 0.3, 10),
         'TranslateX': np.linspace(0, 150 / 331, 10), 'TranslateY': np.linspace(0, 150 / 331, 10),
         'Rotate': np.linspace(0, 30, 10), 'Color': np.linspace(0.0, 0.9, 10),
         'Posterize': np.round(np.linspace(8, 4, 10), 0).astype(int), 'Solarize': np.linspace(256, 0, 10),
         'Contrast': np.linspace(0.0, 0.9, 10), 'Sharpness': np.linspace(0.0, 0.9, 10),
         'Brightness': np.linspace(0.0, 0.9, 10)}
    els = [('AutoContrast', 'AutoContrast', 0.0), ('Equalize', 'Equalize', 0.0), ('Invert', 'Invert', 0.0)]
    for op, v in r.items():
        for i in (3, 6, 9):
            els.append((f'{op}_mag{v[i]:.3g}', op, v[i].item()))
    els.sort(key=lambda t: t[0])
    return els
ELS = space()
def apply(img, op, m, s):
    fill = (128, 128, 128) if img.mode == 'RGB' else 128
    if op == 'ShearX': return img.transform(img.size, Image.AFFINE, (1, m * s, 0, 0, 1, 0), Image.BICUBIC, fillcolor=fill)
    if op == 'ShearY': return img.transform(img.size, Image.AFFINE, (1, 0, 0, m * s, 1, 0), Image.BICUBIC, fillcolor=fill)
    if op == 'TranslateX': return img.transform(img.size, Image.AFFINE, (1, 0, m * s * img.size[0], 0, 1, 0), fillcolor=fill)
    if op == 'TranslateY': return img.transform(img.size, Image.AFFINE, (1, 0, 0, 0, 1, m * s * img.size[1]), fillcolor=fill)
    if op == 'Rotate': return img.rotate(m * s)
    if op == 'Color': return ImageEnhance.Color(img).enhance(1 + m * s)
    if op == 'Contrast': return ImageEnhance.Contrast(img).enhance(1 + m * s)
    if op == 'Sharpness': return ImageEnhance.Sharpness(img).enhance(1 + m * s)
    if op == 'Brightness': return ImageEnhance.Brightness(img).enhance(1 + m * s)
    if op == 'Posterize': return ImageOps.posterize(img, int(m))
    if op == 'Solarize': return ImageOps.solarize(img, m)
    if op == 'AutoContrast': return ImageOps.autocontrast(img)
    if op == 'Equalize': return ImageOps.equalize(img)
    if op == 'Invert': return ImageOps.invert(img)
    raise ValueError(op)
SIGNED = {'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Color', 'Contrast', 'Sharpness', 'Brightness'}


def recompose(imgs, idx, draws, pad, cut, mean, std):
    """The pass for images imgs[idx[b]] with the draws D[b] = (crop_x, crop_y, flip, op1, op2, pair, sign1,
    sign2, cut_y, cut_x): pad/crop/flip with numpy, the pair-op with PIL, Cutout, normalize in float32.
    Returns (u8 pixels before /255 with Cutout 0, normalized float32), both [n,H,W,C]."""
    c = imgs.shape[3]
    outs_u8, outs = [], []
    for b in range(len(idx)):
        a = imgs[idx[b]]
        cx, cy, flip, op1, op2, pair, s1, s2, ky, kx = [int(v) for v in draws[b]]
        h, w = a.shape[:2]
        if pad > 0:
            a = np.pad(a, ((pad, pad), (pad, pad), (0, 0)))[cy:cy + h, cx:cx + w]
        if flip:
            a = a[:, ::-1]
        img = Image.fromarray(np.ascontiguousarray(a[:, :, 0]), 'L') if c == 1 else Image.fromarray(np.ascontiguousarray(a), 'RGB')
        for e, s in ((op1, s1), (op2, s2)):
            if 0 <= e < 36:
                name, op, m = ELS[e]
                img = apply(img, op, m, s if op in SIGNED else 1)
        u = np.asarray(img).reshape(h, w, c).copy()
        x = u.astype(np.float32) / np.float32(255)
        if cut > 0:
            y0, x0 = max(0, ky - cut // 2), max(0, kx - cut // 2)
            y1, x1 = max(0, ky - cut // 2 + cut), max(0, kx - cut // 2 + cut)
            x[y0:y1, x0:x1] = 0
            u[y0:y1, x0:x1] = 0
        outs_u8.append(u)
        outs.append((x - np.asarray(mean, np.float32)[:c]) / np.asarray(std, np.float32)[:c])
    return np.stack(outs_u8), np.stack(outs).astype(np.float32)
