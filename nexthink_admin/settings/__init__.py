"""Settings split: base (shared), local (make run), test (pytest), production."""
