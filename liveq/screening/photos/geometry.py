"""Where a point of a turned or scaled copy of the photo lies in the photo itself."""

from __future__ import annotations

import math

from PIL import Image

from liveq.screening.photos.findings import Box


class View:
    """A copy of (part of) the photo: cropped at (x, y), scaled, then turned.

    ``box_back`` maps a box found in the copy to the photo's own pixels."""

    def __init__(self, image: Image.Image, origin=(0, 0), factor=1.0, angle=0.0):
        self.image = image
        self.origin = origin
        self.factor = factor
        self.angle = angle
        self._size = image.size  # before the turn

    def turned(self, angle: float) -> View:
        """The same view turned counter-clockwise by `angle` degrees (grown to fit)."""
        view = View(self.image, self.origin, self.factor, angle)
        if angle % 360 == 90:
            view.image = self.image.transpose(Image.Transpose.ROTATE_90)
        elif angle % 360 == 180:
            view.image = self.image.transpose(Image.Transpose.ROTATE_180)
        elif angle % 360 == 270:
            view.image = self.image.transpose(Image.Transpose.ROTATE_270)
        elif angle:
            fill = 255 if self.image.mode == "L" else (255, 255, 255)
            view.image = self.image.rotate(
                angle, resample=Image.BILINEAR, expand=True, fillcolor=fill
            )
        return view

    def point_back(self, x: float, y: float) -> tuple[float, float]:
        w, h = self._size
        if self.angle:
            nw, nh = self.image.size
            a = math.radians(self.angle)
            # Undo Pillow's counter-clockwise turn about the centre.
            dx, dy = x - nw / 2, y - nh / 2
            x = math.cos(a) * dx - math.sin(a) * dy + w / 2
            y = math.sin(a) * dx + math.cos(a) * dy + h / 2
        return self.origin[0] + x / self.factor, self.origin[1] + y / self.factor

    def box_back(self, box: Box) -> Box:
        corners = [
            self.point_back(box.x, box.y),
            self.point_back(box.x + box.w, box.y),
            self.point_back(box.x + box.w, box.y + box.h),
            self.point_back(box.x, box.y + box.h),
        ]
        return Box.around(corners)


def scaled(image: Image.Image, longest: int) -> View:
    """The whole photo with its longest side at most `longest` pixels."""
    factor = min(1.0, longest / max(image.size))
    if factor < 1.0:
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return View(image.resize(size, Image.BILINEAR), (0, 0), factor)
    return View(image)
