"""owcheck: grade an AI model's weights, training code and training data against the four freedoms."""

__version__ = "0.1.0"
