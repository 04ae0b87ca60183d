"""License knowledge: the feature vocabulary, the catalogue, the grader and text identification."""
