"""Helpers the tests share: paths, hypothesis strategies, policy generators, case-book fixtures."""
