"""12-megapixel phone-like JPEGs with EXIF DateTimeOriginal, made once and cached under test-output/.

Each is 4000×3000, ~3.7 MB at quality 92 (shapes, soft gradients and sensor-like noise, so a
shrink in the browser behaves as with a real photo). Used by the capture journeys and the
capture benchmark; they are kept between runs (making the first takes ~5 s, the others ~1 s).
"""
import hashlib
import random
from datetime import datetime
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / "test-output" / "capture-photos"
WIDTH, HEIGHT = 4000, 3000
GENERATION = "v2"


def taken_at(n):
    """The EXIF time written into photo n: 2026-04-03 09:00 plus n minutes."""
    return datetime(2026, 4, 3, 9, n % 60, 0)


_NOISE = []


def _sensor_noise():
    """One frame of grey noise (the slow part), shared by every photo made in this process."""
    from PIL import Image

    if not _NOISE:
        _NOISE.append(Image.effect_noise((WIDTH, HEIGHT), 60).convert("RGB"))
    return _NOISE[0]


def large_photo(n):
    """Path of cached photo n (made on first use, about a second each)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"IMG_{GENERATION}_{n + 1:04d}.jpg"
    if path.exists() and path.stat().st_size > 1_000_000:
        return path
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(n)
    w, h = WIDTH // 4, HEIGHT // 4  # the scene is drawn small and enlarged: soft like a lens
    grad = Image.linear_gradient("L").resize((w, h))
    scene = Image.merge("RGB", (grad, grad.rotate(90).resize((w, h)), Image.new("L", (w, h), (40 + n * 23) % 256)))
    draw = ImageDraw.Draw(scene)
    for _ in range(60):
        x, y, s = rng.randrange(w), rng.randrange(h), rng.randrange(12, 150)
        draw.ellipse((x, y, x + s, y + s * 0.7), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    scene = scene.filter(ImageFilter.GaussianBlur(1)).resize((WIDTH, HEIGHT), Image.BICUBIC)
    image = Image.blend(scene, _sensor_noise(), 0.10)
    exif = Image.Exif()
    stamp = taken_at(n).strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0132] = stamp
    exif.get_ifd(0x8769)[0x9003] = stamp
    tmp = path.with_suffix(".part")
    image.save(tmp, "JPEG", quality=92, exif=exif.tobytes())
    tmp.replace(path)
    return path


def large_photos(count, start=0):
    return [large_photo(n) for n in range(start, start + count)]


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
