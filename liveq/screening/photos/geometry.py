"""Copies of the photo (cropped, scaled, turned) that remember how to map a box back."""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image

from liveq.screening.photos.findings import Box

Step = Callable[[float, float], tuple[float, float]]


class View:
    """An image made from the photo by crops, scalings and turns, in that history.

    ``box_back`` maps a box found in the image to the photo's own pixels."""

    def __init__(self, image: Image.Image, steps: tuple[Step, ...] = ()):
        self.image = image
        self.steps = steps

    def _then(self, image: Image.Image, step: Step) -> View:
        return View(image, (*self.steps, step))

    def with_image(self, image: Image.Image) -> View:
        """The same geometry, other pixels (inverted, contrast stretched)."""
        return View(image, self.steps)

    def cropped(self, box: tuple[int, int, int, int]) -> View:
        x0, y0 = box[0], box[1]
        return self._then(self.image.crop(box), lambda x, y: (x + x0, y + y0))

    def scaled(self, factor: float, resample=Image.BILINEAR) -> View:
        size = (max(1, round(self.image.width * factor)), max(1, round(self.image.height * factor)))
        fx, fy = size[0] / self.image.width, size[1] / self.image.height
        return self._then(self.image.resize(size, resample), lambda x, y: (x / fx, y / fy))

    def turned(self, angle: float) -> View:
        """Turned counter-clockwise by `angle` degrees, grown to fit."""
        angle %= 360
        if not angle:
            return self
        w, h = self.image.size
        exact = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
                 270: Image.Transpose.ROTATE_270}
        if angle in exact:
            image = self.image.transpose(exact[angle])
        else:
            fill = 255 if self.image.mode == "L" else (255, 255, 255)
            image = self.image.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=fill)
        nw, nh = image.size
        a = math.radians(angle)
        cos, sin = math.cos(a), math.sin(a)

        def back(x: float, y: float) -> tuple[float, float]:
            # Undo Pillow's counter-clockwise turn about the centre.
            dx, dy = x - nw / 2, y - nh / 2
            return cos * dx - sin * dy + w / 2, sin * dx + cos * dy + h / 2

        return self._then(image, back)

    def point_back(self, x: float, y: float) -> tuple[float, float]:
        for step in reversed(self.steps):
            x, y = step(x, y)
        return x, y

    def box_back(self, box: Box) -> Box:
        return Box.around([self.point_back(x, y) for x, y in box.corners()])

