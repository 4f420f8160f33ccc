// The authors' augmentation space in Python (names, magnitudes, and each op applied with the PIL
// calls their code makes), shared by the oracle tests that compare our elements and our fused pass
// with Pillow. Expects numpy as np; defines space(), ELS and apply(img, op, m, sign).
#pragma once

namespace aws::test {

inline constexpr const char* kPillowSpace = R"PY(
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
)PY";

}  // namespace aws::test
