"""The contact sheet: every label readable beside its row of stills."""

import av
import numpy as np

from generator.render.contact_sheet import contact_sheet_write


def _sheet(tmp_path, characters):
    red = np.zeros((64, 64, 4), np.uint8)
    red[..., 0], red[..., 3] = 255, 255
    stills = {(c, e): red for c in characters for e in ("anger", "joy")}
    path = contact_sheet_write(tmp_path / "sheet.png", stills, characters, ["anger", "joy"], cell=80)
    with av.open(str(path)) as png:
        return next(png.decode(video=0)).to_ndarray(format="rgb24")


def test_long_row_labels_end_before_the_first_still(tmp_path):
    characters = ["Mery GT", "Malcolm ETAD", "Bonnie EVP"]
    image = _sheet(tmp_path, characters)
    for row in range(len(characters)):
        band = image[34 + row * 80 + 10: 34 + (row + 1) * 80 - 10]
        ink = np.nonzero((band.max(axis=2) < 100).any(axis=0))[0]  # dark label pixels
        still = np.nonzero(((band[..., 0] > 200) & (band[..., 1] < 50)).any(axis=0))[0]  # red
        assert len(ink) and len(still)
        assert ink.max() + 8 <= still.min(), (characters[row], ink.max(), still.min())
