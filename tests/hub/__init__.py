"""A loopback Hugging Face Hub for tests (see ``server.py``) and its fixture repos (``repos/``)."""
