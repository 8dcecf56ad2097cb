"""A login slip's password is read back exactly as issued, whatever the letters: typed from the paper or
copied out of the PDF, never with a gap a proportional font's kerning put between two letters ("Wf VwjPGfKC"
was read from a slip once)."""
import random

from ledgers.services.units import PASSWORD_ALPHABET, initial_password
from reports.login_slips import login_slips_pdf
from tests.reports.test_helpers import pdf_text


def test_every_password_is_read_back_from_the_slip_as_issued():
    seen_apart = ["WfVwjPGfKC", "BxfVwtXTJy"]  # both read with a space after the f before the fix
    every_letter = [PASSWORD_ALPHABET[i:i + 10] for i in range(0, len(PASSWORD_ALPHABET), 10)]
    rng = random.Random(32)
    drawn = ["".join(rng.choice(PASSWORD_ALPHABET) for _ in range(10)) for _ in range(40)]
    passwords = seen_apart + every_letter + drawn + [initial_password()]
    slips = [{"name": "马晓红", "role": "联络员", "unit": "郾城区新区小学", "username": f"user{n}", "password": p}
             for n, p in enumerate(passwords)]
    text = pdf_text(login_slips_pdf(slips, site_url="http://127.0.0.1:8000", bureau_name="郾城区教育局"))
    assert [p for p in passwords if f"初始密码 {p}" not in text] == []
