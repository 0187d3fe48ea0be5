"""liveq: live Q&A and live-tweeting for hospital communications teams."""

__version__ = "0.1.0"
