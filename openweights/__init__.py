"""owcheck: grade a model's weights, training code and training data on the four freedoms."""

__version__ = "0.2.0"
