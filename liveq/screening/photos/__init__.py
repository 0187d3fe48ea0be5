"""Photos: what a picture gives away before it leaves — metadata, text in it, faces.

``clean`` re-encodes an upload without its metadata (orientation applied);
``scan`` finds identifiers in the text of the picture (Tesseract OCR, then the
same screener as questions) and faces (MTCNN, run by OpenCV), each with its box;
``redact`` blurs or blacks out boxes. CPU work, no I/O of liveq's: the caller runs
it off the event loop.

Import the module you need (``liveq.screening.photos.clean``...): this package
imports nothing itself, so storing a cleaned photo never loads numpy or OpenCV.
"""
