"""Grader: proposes priority, categories and the 3x5x2 grading from the sanitised text, by policy."""
