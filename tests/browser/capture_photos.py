"""12-megapixel phone-like JPEGs with EXIF DateTimeOriginal, made once and cached under test-output/.

Each is 4000×3000, ~3.7 MB at quality 92 (shapes, soft gradients and sensor-like noise, so a
shrink in the browser behaves as with a real photo). Used by the capture journeys and the
capture benchmark; making one takes a few seconds, so they are kept between runs.
"""
import hashlib
import random
from datetime import datetime
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / "test-output" / "capture-photos"
WIDTH, HEIGHT = 4000, 3000
GENERATION = "v1"


def taken_at(n):
    """The EXIF time written into photo n: 2026-04-03 09:00 plus n minutes."""
    return datetime(2026, 4, 3, 9, n % 60, 0)


def large_photo(n):
    """Path of cached photo n (made on first use)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"IMG_{GENERATION}_{n + 1:04d}.jpg"
    if path.exists() and path.stat().st_size > 1_000_000:
        return path
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(n)
    grad = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    base = Image.merge("RGB", (grad, grad.rotate(90).resize((WIDTH, HEIGHT)),
                               Image.new("L", (WIDTH, HEIGHT), (40 + n * 23) % 256)))
    draw = ImageDraw.Draw(base)
    for _ in range(60):
        x, y, s = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.randrange(50, 600)
        draw.ellipse((x, y, x + s, y + s * 0.7), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    base = base.filter(ImageFilter.GaussianBlur(3))
    image = Image.blend(base, Image.effect_noise((WIDTH, HEIGHT), 60).convert("RGB"), 0.10)
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
