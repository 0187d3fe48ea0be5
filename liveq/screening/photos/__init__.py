"""Photos: what a picture gives away before it leaves — metadata, text in it, faces.

``clean`` re-encodes an upload without its metadata (orientation applied);
``scan`` finds identifiers in the text of the picture (Tesseract OCR, then the
same screener as questions) and faces (OpenCV's own cascades), each with its box;
``redact`` blurs or blacks out boxes. CPU work, no I/O of liveq's: the caller runs
it off the event loop. Imported only where photos are handled (numpy, OpenCV).
"""

from liveq.screening.photos.clean import CleanPhoto, clean_photo
from liveq.screening.photos.findings import Box, PhotoFinding
from liveq.screening.photos.redact import redact_photo
from liveq.screening.photos.scan import scan_photo

__all__ = ["Box", "CleanPhoto", "PhotoFinding", "clean_photo", "redact_photo", "scan_photo"]
